// Small behaviours the server can't do: dialogs (focus in, Tab kept inside, focus back),
// the keyboard shortcuts (N, / and Ctrl/Cmd-K, ?), the search results' arrow keys, row
// selection, toasts, failed-request messages, the row editors and the menus. The lists'
// filters and the import page's button are in lists.js.
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
    if (event.target.matches && event.target.matches("#dialog-slot dialog, #shortcuts-dialog")) returnFocus();
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

  // A menu left by Tab (focus moved outside it) closes, as a popup would.
  document.addEventListener("focusout", (event) => {
    const menu = event.target.closest && event.target.closest("details.menu-button[open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
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

  // --- Dialog focus, global search and shortcuts (`/`, Ctrl/Cmd-K, `?`) ---
  // A dialog focuses its first field (the field in error after a re-render), not the ×
  // button native showModal would pick; a dialog without fields focuses its Cancel.
  // Tab stays inside; on close, focus returns to what opened it (the Actions toggle
  // when that was a link in the menu, now closed).
  let opener = null;

  function visible(element) {
    return !element.disabled && element.getClientRects().length > 0;
  }

  function focusFirstField(dialog) {
    const fields = [...dialog.querySelectorAll("[aria-invalid=true], [autofocus], input:not([type=hidden]), select, textarea")].filter(visible);
    const invalid = fields.find((field) => field.getAttribute("aria-invalid") === "true");
    const target = invalid || fields[0] || [...dialog.querySelectorAll(".dialog-foot button, .dialog-foot a")].find(visible);
    if (target) target.focus();
  }

  function openModal() {
    return document.querySelector("dialog:modal");
  }

  function returnFocus() {
    const element = opener;
    opener = null;
    if (!element || !element.isConnected) return;
    const menu = element.closest("details:not([open])");
    (menu ? menu.querySelector("summary") : element).focus();
  }

  // After the settle, when htmx has wired the dialog's fields (typing is not lost).
  document.addEventListener("htmx:afterSettle", (event) => {
    const dialog = event.detail.target === slot() && slot().querySelector("dialog[open]");
    if (dialog) focusFirstField(dialog);
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.target === slot() && !openModal()) opener = document.activeElement;
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const dialog = openModal();
    if (!dialog) return;
    const stops = [...dialog.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])")].filter(visible);
    if (!stops.length) return;
    const first = stops[0];
    const last = stops[stops.length - 1];
    const inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (!inside || document.activeElement === first)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
      event.preventDefault();
      first.focus();
    }
  });

  function openShortcuts() {
    const dialog = document.getElementById("shortcuts-dialog");
    if (!dialog || dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
  }

  // Listened for on the document: after Back, htmx draws the page again from its snapshot,
  // and a listener on the old button would be gone with it.
  function showShortcutsButton() {
    document.querySelectorAll("[data-open-shortcuts]").forEach((button) => { button.hidden = false; });
  }
  showShortcutsButton();
  document.body.addEventListener("htmx:historyRestore", showShortcutsButton);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-open-shortcuts]")) openShortcuts();
  });

  // A page drawn again from a history snapshot (Back, Forward) must not bring back a
  // dialog that was open when the snapshot was taken: it would be drawn inline, not as a
  // modal. Cleared after the restore, not before the save: a filter's answer pushing a
  // URL while a dialog is open must not close it.
  document.body.addEventListener("htmx:historyRestore", () => {
    document.querySelectorAll("dialog[open]").forEach((dialog) => dialog.removeAttribute("open"));
    slot().replaceChildren();
  });

  // On the Search page the top bar's Search button and Ctrl/Cmd-K go to the page's own box,
  // as `/` does, rather than open a second search in a dialog.
  function pageSearchBox() {
    return document.querySelector("main [data-search-input]");
  }

  document.addEventListener("click", (event) => {
    const pageBox = pageSearchBox();
    if (!pageBox || !event.target.closest("#search-button")) return;
    event.preventDefault();
    event.stopPropagation(); // before htmx's own listener on the button, which would open the dialog
    pageBox.focus();
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.repeat) return;
    const search = document.getElementById("search-button");
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      const modal = openModal();
      const input = modal ? modal.querySelector("[data-search-input]") : pageSearchBox();
      if (input) input.focus();
      else if (!modal && search) search.click();
      if (input || (!modal && search)) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || isTyping(event.target) || openModal()) return;
    const pageBox = pageSearchBox();
    if (event.key === "/" && pageBox) {
      event.preventDefault();
      pageBox.focus();
    } else if (event.key === "/" && search) {
      event.preventDefault();
      search.click();
    } else if (event.key === "?") {
      event.preventDefault();
      openShortcuts();
    }
  });

  // In the search box and its results, ↓ and ↑ move between the box and the result
  // links (Enter follows a link); Escape closes the search dialog even while typing.
  document.addEventListener("keydown", (event) => {
    const scope = event.target.closest && event.target.closest("[data-search-scope]");
    if (!scope) return;
    if (event.key === "Escape") {
      const dialog = scope.closest("dialog[open]");
      if (dialog) {
        event.preventDefault();
        dialog.close();
      }
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const stops = [scope.querySelector("[data-search-input]"), ...scope.querySelectorAll("[data-search-result]")];
    const index = stops.indexOf(event.target);
    if (index < 0) return;
    event.preventDefault();
    const next = event.key === "ArrowDown" ? Math.min(index + 1, stops.length - 1) : Math.max(index - 1, 0);
    stops[next].focus();
  });

  // Row editors (metadata, languages): Add appends a blank row, × removes one, ↑ moves
  // a language up. Without JavaScript these buttons are hidden and blank rows are offered.
  document.documentElement.classList.add("js");

  function renumber(editor) {
    editor.querySelectorAll("[data-kv-rows] > .kv-row").forEach((row, index) => {
      row.querySelectorAll("[data-kv-label]").forEach((control) => {
        control.setAttribute("aria-label", `${control.dataset.kvLabel} ${index + 1}`);
      });
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-kv-add], [data-kv-remove], [data-kv-up]");
    const editor = button && button.closest("[data-kv-editor]");
    if (!editor) return;
    const rows = editor.querySelector("[data-kv-rows]");
    const row = button.closest(".kv-row");
    if (button.matches("[data-kv-add]")) {
      const added = editor.querySelector("template[data-kv-template]").content.firstElementChild.cloneNode(true);
      rows.append(added);
      added.querySelector("input, select").focus();
    } else if (button.matches("[data-kv-remove]")) {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next ? next.querySelector("input, select") : editor.querySelector("[data-kv-add]")).focus();
    } else if (row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
      button.focus();
    }
    renumber(editor);
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
