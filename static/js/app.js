// Small behaviours without inline handlers (kept CSP-friendly).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// Walkaround: a ticked selling point's card is highlighted; ticking one or choosing an interest
// means the position was presented.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-walkaround-point]");
  if (!form) {
    return;
  }
  const input = event.target;
  if (input.name === "selling_points") {
    input.closest(".fabe-card")?.classList.toggle("is-shown", input.checked);
  }
  const noted = (input.name === "selling_points" && input.checked) || (input.name === "interest" && input.value !== "");
  const presented = form.querySelector("input[name=presented]");
  if (noted && presented) {
    presented.checked = true;
  }
});

// A suggestion under a field (e.g. the new visit's "referred by" look-up) fills that field; the
// field's own htmx look-up then confirms whom it names.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-fill-target]");
  const input = button && document.getElementById(button.dataset.fillTarget);
  if (input) {
    input.value = button.dataset.fillValue;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
});

// Reception duty: ↑/↓ move a consultant's row, and every row's order number follows the rows.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-duty-move]");
  const row = button && button.closest("[data-duty-row]");
  if (!row) {
    return;
  }
  if (button.dataset.dutyMove === "up" && row.previousElementSibling) {
    row.parentElement.insertBefore(row, row.previousElementSibling);
  } else if (button.dataset.dutyMove === "down" && row.nextElementSibling) {
    row.parentElement.insertBefore(row.nextElementSibling, row);
  }
  row.closest("[data-duty-rows]").querySelectorAll("[data-duty-order]").forEach((input, index) => {
    input.value = index + 1;
  });
  button.focus();
});
