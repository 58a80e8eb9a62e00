// Enhances pages that already work without JavaScript: the row actions become a
// WAI-ARIA menu button, "Revoke access" and "Make owner" open a <dialog> instead of a
// page, and after a form post the focus goes where a screen reader should start.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  focusOutcome();
  document.querySelectorAll("[data-menu]").forEach(setUpMenu);
  const revoke = document.getElementById("revoke-dialog");
  if (revoke) setUpConfirmDialog(revoke, "[data-revoke]", "Revoke access to ");
  const transfer = document.getElementById("transfer-dialog");
  if (transfer) setUpConfirmDialog(transfer, "[data-transfer]", "Transfer ownership to ");
});

// focusOutcome moves the focus to the first field in error, or else to the message
// about the last action, so that it is announced and read first.
function focusOutcome() {
  const invalid = document.querySelector("main [aria-invalid=true]");
  const message = document.querySelector("main [data-testid=flash], main .alert");
  if (invalid) {
    invalid.focus();
  } else if (message) {
    message.tabIndex = -1;
    message.focus();
  }
}

let menus = 0;

// setUpMenu turns a row's <details> list into the menu of the button beside it: the
// details stays open, and the list is shown and hidden as a WAI-ARIA menu.
function setUpMenu(container) {
  const button = container.querySelector("[aria-haspopup=menu]");
  const details = container.querySelector("details");
  const menu = details.querySelector("ul");
  const n = ++menus;
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.id = "actions-" + n;
  menu.id = "actions-menu-" + n;
  button.setAttribute("aria-controls", menu.id);
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-labelledby", button.id);
  menu.querySelectorAll("li").forEach((li) => {
    li.setAttribute("role", "none");
    li.firstElementChild.setAttribute("role", "menuitem");
    li.firstElementChild.tabIndex = -1;
  });
  menu.hidden = true;
  details.open = true;
  const items = () => Array.from(menu.querySelectorAll("[role=menuitem]"));

  const open = (focusIndex) => {
    closeAllMenus(container);
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const list = items();
    list[(focusIndex + list.length) % list.length].focus();
  };
  const close = (returnFocus) => {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  };
  container.closeMenu = close;
  // The key that opened the menu is still down: its repeats and the click a browser may
  // make of it must not act on the item it focused.
  let openingKey = null;

  button.addEventListener("click", () => (menu.hidden ? open(0) : close(true)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      openingKey = event.key;
      open(0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      open(-1);
    }
  });
  menu.addEventListener("keyup", (event) => {
    // After the click a released Space may make, which follows this event.
    if (event.key === openingKey) setTimeout(() => { openingKey = null; }, 0);
  });
  menu.addEventListener("pointerdown", () => {
    openingKey = null;
  });
  menu.addEventListener("click", (event) => {
    if (openingKey !== null) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  menu.addEventListener("keydown", (event) => {
    if (event.key === openingKey) {
      event.preventDefault();
      return;
    }
    openingKey = null;
    const list = items();
    const index = list.indexOf(document.activeElement);
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      list[(moves[event.key] + list.length) % list.length].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    } else if (event.key === " ") {
      event.preventDefault();
      document.activeElement.click();
    }
  });
  container.addEventListener("focusout", (event) => {
    if (!container.contains(event.relatedTarget)) close(false);
  });
}

function closeAllMenus(except) {
  document.querySelectorAll("[data-menu]").forEach((c) => {
    if (c !== except && c.closeMenu) c.closeMenu(false);
  });
}

document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-menu]")) closeAllMenus(null);
});

// setUpConfirmDialog has the menu items that match selector open dialog, with the
// item's question and a button that names its address, instead of their page.
function setUpConfirmDialog(dialog, selector, confirmLabel) {
  const form = dialog.querySelector("form");
  const confirm = dialog.querySelector("[data-confirm]");
  const cancel = dialog.querySelector("[data-cancel]");
  const question = dialog.querySelector("[data-question]");
  let opener = null;

  document.querySelectorAll(selector).forEach((item) => {
    item.addEventListener("click", (event) => {
      event.preventDefault();
      const container = item.closest("[data-menu]");
      const email = item.closest("tr").dataset.email;
      opener = container.querySelector("[aria-haspopup=menu]");
      container.closeMenu(false);
      form.action = item.getAttribute("href");
      confirm.textContent = confirmLabel + email;
      // The item names its question (data-revoke="self", …); the dialog holds its words.
      const kind = item.getAttribute(selector.slice(1, -1));
      question.textContent = question.getAttribute("data-" + kind).replaceAll("{email}", email);
      dialog.showModal();
      cancel.focus();
    });
  });
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener) opener.focus();
  });
}
