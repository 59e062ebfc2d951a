// Small behaviours the server can't do: dialogs, the N shortcut, row selection, toasts.
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

  function refreshTable() {
    const table = document.getElementById("customer-table");
    if (table) htmx.ajax("GET", window.location.href, { target: table, swap: "outerHTML" });
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
    // A menu closes when one of its items is chosen or the click lands elsewhere.
    document.querySelectorAll("details.menu-button[open]").forEach((menu) => {
      if (!menu.contains(event.target) || event.target.closest("[role=menuitem]")) {
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

  document.body.addEventListener("closeDialog", closeDialog);
  document.body.addEventListener("customersChanged", refreshTable);
  document.body.addEventListener("showMessage", (event) => showMessage(event.detail.text, event.detail.level));
})();
