// Small behaviours the server can't do: dialogs, the N shortcut, row selection, toasts,
// failed-request messages and closing the Actions menu.
(function () {
  "use strict";

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function slot() {
    return document.getElementById("dialog-slot");
  }

  // Emptied on the next tick: htmx may still be dispatching events (HX-Trigger)
  // from the dialog's form, and a detached element's events never reach <body>.
  function emptySlot() {
    setTimeout(() => { slot().innerHTML = ""; }, 0);
  }

  function closeDialog() {
    const dialog = slot().querySelector("dialog");
    if (dialog && dialog.open) dialog.close();
    emptySlot();
  }

  function showMessage(text, level) {
    const box = document.getElementById("messages");
    const p = document.createElement("p");
    p.className = "message " + (level || "success");
    p.textContent = text;
    box.replaceChildren(p);
    setTimeout(() => p.remove(), 6000);
  }

  const UNREACHABLE = "The server could not be reached. Check your connection and try again.";

  function failureText(status) {
    if (status === 403) return "Something went wrong (403): you may not have permission for this.";
    if (status === 404) return "Something went wrong (404): this may have been removed. Reload the page.";
    if (status === 503) return "Temporarily unavailable (503): the service could not reach its database. Wait a minute, then try again.";
    return `Something went wrong (${status}). Try again, or reload the page.`;
  }

  // One message at a time, replaced rather than stacked; it stays until dismissed.
  // The page behind an open modal dialog is inert, so the dialog's own region is used then.
  function showRequestError(text) {
    document.querySelectorAll("[data-request-error]").forEach((region) => region.replaceChildren());
    const dialog = slot().querySelector("dialog[open]");
    const region = (dialog && dialog.querySelector("[data-request-error]")) || document.getElementById("request-error");
    const box = document.createElement("div");
    box.className = "message error";
    const p = document.createElement("p");
    p.textContent = text;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link";
    dismiss.dataset.dismissError = "";
    dismiss.textContent = "Dismiss";
    box.append(p, dismiss);
    region.replaceChildren(box);
  }

  function syncSelection() {
    const table = document.getElementById("customer-table");
    if (!table) return;
    const boxes = table.querySelectorAll("input[name=customer]");
    const checked = table.querySelectorAll("input[name=customer]:checked").length;
    const button = document.getElementById("bulk-delete");
    if (button) {
      button.disabled = checked === 0;
      button.textContent = checked ? `Delete ${checked}` : "Delete";
    }
    const all = document.getElementById("select-page");
    if (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  // A dialog swapped into the slot opens as a modal and takes focus.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target === slot()) {
      const dialog = slot().querySelector("dialog");
      if (dialog && !dialog.open) dialog.showModal();
      const invalid = dialog && dialog.querySelector("[aria-invalid=true], .errorlist");
      if (invalid) {
        const field = dialog.querySelector("[aria-invalid=true]");
        if (field) field.focus();
      }
    }
    const table = document.getElementById("customer-table");
    if (table) {
      const sort = document.querySelector("#filters input[name=sort]");
      if (sort) sort.value = table.dataset.sort || "";
      syncSelection();
    }
  });

  document.addEventListener("close", (event) => {
    if (event.target.matches && event.target.matches("#dialog-slot dialog")) emptySlot();
  }, true);

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-dialog]")) closeDialog();
    const dismiss = event.target.closest("[data-dismiss-error]");
    if (dismiss) dismiss.closest("[data-request-error]").replaceChildren();
    // A menu closes when one of its links is chosen or the click lands elsewhere.
    document.querySelectorAll("details.menu-button[open]").forEach((menu) => {
      if (!menu.contains(event.target) || event.target.closest(".menu-items a")) {
        menu.open = false;
      }
    });
  });

  document.addEventListener("change", (event) => {
    if (event.target.id === "select-page") {
      document.querySelectorAll("#customer-table input[name=customer]").forEach((box) => {
        box.checked = event.target.checked;
      });
    }
    if (event.target.closest("#customer-table")) syncSelection();
  });

  // The Actions menu is a plain disclosure (<details>): Tab moves through its links, and
  // Escape closes it and returns focus to its toggle, as a native popup would.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest && event.target.closest("details.menu-button[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // Press N anywhere on the page (not while typing) to add a customer.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "n" && event.key !== "N") return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    const add = document.getElementById("add-customer");
    if (add) {
      event.preventDefault();
      add.click();
    }
  });

  // Without JavaScript the Delete button stays enabled (the server asks for a selection).
  syncSelection();

  // htmx swaps nothing for a 4xx/5xx (422, a form re-render, is swapped: see base.html)
  // and nothing when the request never arrives, so say so instead of staying silent.
  document.addEventListener("htmx:responseError", (event) => showRequestError(failureText(event.detail.xhr.status)));
  document.addEventListener("htmx:sendError", () => showRequestError(UNREACHABLE));
  document.addEventListener("htmx:timeout", () => showRequestError(UNREACHABLE));

  document.body.addEventListener("closeDialog", closeDialog);
  document.body.addEventListener("showMessage", (event) => showMessage(event.detail.text, event.detail.level));
})();
