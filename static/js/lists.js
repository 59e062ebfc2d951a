// The Customers and Invoices lists' filters (their URL, Back, the pills) and the import
// page's Import button: behaviours of a page's own form, beside app.js's shared ones.

// List filters: the URL is the filters' one record. A pushed URL carries only
// the fields that are set; Back (htmx restoring its snapshot, which keeps the fields'
// first values, not what was typed) sets the fields from the URL again; a filter
// pill's × clears its field, and the form asks for the table as if it were typed.
(function () {
  "use strict";

  function listFilters(elt) {
    return elt && elt.closest && elt.closest("form.filters[hx-push-url]");
  }

  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.verb !== "get" || !listFilters(event.detail.elt)) return;
    const data = event.detail.formData;
    if (!data) return;
    for (const name of [...new Set(data.keys())]) {
      if (data.getAll(name).every((value) => value === "")) data.delete(name);
    }
  });

  // A check box or radio is ticked when the URL has its value; a repeated name takes its
  // values in order; a menu without the URL's value shows its blank choice.
  function fillFromUrl() {
    const params = new URLSearchParams(location.search);
    document.querySelectorAll("form.filters[hx-push-url]").forEach((form) => {
      const seen = {};
      for (const field of form.elements) {
        if (!field.name || field.type === "submit" || field.type === "button") continue;
        const values = params.getAll(field.name);
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.includes(field.value);
          continue;
        }
        const index = seen[field.name] || 0;
        seen[field.name] = index + 1;
        const value = values[index] || "";
        if (field.tagName === "SELECT" && !field.multiple && ![...field.options].some((option) => option.value === value)) {
          field.value = "";
        } else if (field.multiple) {
          for (const option of field.options) option.selected = values.includes(option.value);
        } else {
          field.value = value;
        }
      }
    });
  }

  document.body.addEventListener("htmx:historyRestore", fillFromUrl);

  document.addEventListener("click", (event) => {
    const clear = event.target.closest && event.target.closest("[data-clear-filter]");
    if (!clear) return;
    const form = document.querySelector("form.filters[hx-push-url]");
    const field = form && form.elements.namedItem(clear.dataset.clearFilter);
    // Not one control (missing, or a name several controls share): the link itself goes there.
    if (!(field instanceof Element) || !("value" in field)) return;
    event.preventDefault();
    if (field.type === "checkbox" || field.type === "radio") field.checked = false;
    else field.value = "";
    // The pill (and the table holding it) is swapped: focus then moves to the next pill,
    // or to the Filters summary when none is left, rather than falling to <body>.
    const pills = [...document.querySelectorAll("[data-clear-filter]")];
    pillFocus = { index: pills.indexOf(clear), form };
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  let pillFocus = null;

  document.addEventListener("htmx:afterSettle", (event) => {
    if (!pillFocus || event.detail.requestConfig?.elt !== pillFocus.form) return;
    const { index, form } = pillFocus;
    pillFocus = null;
    if (document.activeElement && document.activeElement !== document.body && document.activeElement.isConnected) return;
    const pills = document.querySelectorAll("[data-clear-filter]");
    const next = pills[index] || form.querySelector("summary");
    if (next) next.focus();
  });

  // A link that replaces the part holding it (a customer picked in Create invoice)
  // names, in data-focus-after-swap, where focus goes once the new part is in.
  document.addEventListener("htmx:afterSettle", (event) => {
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    const selector = elt && elt.dataset && elt.dataset.focusAfterSwap;
    const target = selector && document.querySelector(selector);
    if (target) target.focus();
  });
})();

// Import page: a check box with data-enables="<id>" enables that button only
// while it is ticked ("Import N customers" waits for "Import the valid rows only" when
// rows are invalid; the server refuses it too). The button is rendered enabled (without
// JavaScript the server's refusal says why); it follows the box on load, on change and
// when the page comes back from the back-forward cache or a reload keeps the box ticked.
(() => {
  function sync(box) {
    const button = document.getElementById(box.dataset.enables);
    if (button) button.disabled = !box.checked;
  }

  function syncAll() {
    document.querySelectorAll("input[type=checkbox][data-enables]").forEach(sync);
  }

  document.addEventListener("change", (event) => {
    const box = event.target.closest && event.target.closest("input[type=checkbox][data-enables]");
    if (box) sync(box);
  });
  document.addEventListener("htmx:afterSettle", syncAll);
  window.addEventListener("pageshow", syncAll);
  syncAll();
})();
