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
