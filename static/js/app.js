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

// Checklists: an item saved with an error comes back as a 400 carrying the row with its
// errors; swap it in like a success (htmx leaves 4xx responses out by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  const involved = [event.target, event.detail.elt, event.detail.requestConfig && event.detail.requestConfig.elt];
  if (event.detail.xhr.status === 400 && involved.some((el) => el && el.closest && el.closest("[data-swap-errors]"))) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Checklist history: a Chart.js line chart of pass rates (percent per day or week) from the
// <script type="application/json"> block the page's json_script filter wrote; the same
// figures are in the table under the chart.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") {
    return;
  }
  const palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0", "#6c757d", "#dc3545"];
  document.querySelectorAll("canvas[data-chart-source]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const datasets = data.datasets.map((set, index) => {
      const colour = set.overall ? "#212529" : palette[(index - 1) % palette.length];
      return {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: set.overall ? 3 : 2,
        borderDash: set.overall ? [6, 4] : [],
        spanGaps: true,
        tension: 0.2,
        pointRadius: data.labels.length > 40 ? 0 : 3,
      };
    });
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { min: 0, max: 100, ticks: { callback: (value) => `${value} %` } } },
        plugins: {
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "–" : item.parsed.y + " %"}` } },
          legend: { position: "bottom" },
        },
      },
    });
  });
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

// A "Print" button (the signed test-drive agreement).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The test-drive calendar of today opens at the current time: the morning's slots scroll off
// to the left (the car column stays, app.css); where three slots fit, the one before now too.
document.querySelectorAll("[data-calendar-now]").forEach((cell) => {
  const scroller = cell.closest(".table-responsive");
  const cars = scroller && scroller.querySelector("thead th");
  if (!scroller || !cars || cell === cars) {
    return;
  }
  const roomy = scroller.clientWidth - cars.offsetWidth >= 3 * cell.offsetWidth;
  const first = roomy && cell.previousElementSibling !== cars ? cell.previousElementSibling : cell;
  scroller.scrollLeft = Math.max(0, first.offsetLeft - cars.offsetWidth);
});
