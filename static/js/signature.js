// The test-drive agreement's signature pad: the customer signs with a finger or a stylus on the
// canvas; on submit the drawing goes into the form as a PNG data URL (checked again on the
// server with Pillow). No library, no inline script (the Content-Security-Policy forbids it).
(() => {
  const pad = document.querySelector("canvas[data-signature-pad]");
  if (!pad) {
    return;
  }
  const form = pad.closest("form");
  const input = form.querySelector("[data-signature-input]");
  const empty = form.querySelector("[data-signature-empty]");
  const context = pad.getContext("2d");
  let drawn = false;
  let last = null;

  const fit = () => {
    // A canvas as sharp as the screen; resizing clears it, so it is done before signing.
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const box = pad.getBoundingClientRect();
    pad.width = Math.round(box.width * ratio);
    pad.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#14143c";
    drawn = false;
  };

  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top, pressure: event.pressure || 0.5 };
  };

  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    context.beginPath();
    context.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
    context.fillStyle = context.strokeStyle;
    context.fill();
    drawn = true;
    if (empty) {
      empty.hidden = true;
    }
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) {
      return;
    }
    event.preventDefault();
    const next = point(event);
    context.lineWidth = 1.5 + next.pressure * 3;
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
  });
  const lift = () => {
    last = null;
  };
  pad.addEventListener("pointerup", lift);
  pad.addEventListener("pointercancel", lift);
  pad.addEventListener("pointerleave", lift);

  form.querySelector("[data-signature-clear]")?.addEventListener("click", () => {
    context.clearRect(0, 0, pad.width, pad.height);
    drawn = false;
    input.value = "";
  });

  form.addEventListener("submit", (event) => {
    if (!drawn) {
      event.preventDefault();
      if (empty) {
        empty.hidden = false;
      }
      return;
    }
    input.value = pad.toDataURL("image/png");
  });

  fit();
  window.addEventListener("resize", () => {
    if (!drawn) {
      fit();
    }
  });
})();
