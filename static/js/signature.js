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
  let active = null; // the one pointer that draws: a second finger or the palm is ignored
  let size = { width: 0, height: 0 }; // the pad's size on the page (CSS pixels)

  const fit = () => {
    // A canvas as sharp as the screen. Resizing a canvas clears it, so a signature already
    // drawn (the tablet or phone turned) is copied back, at the same scale if it still fits.
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const box = pad.getBoundingClientRect();
    const width = Math.round(box.width * ratio);
    const height = Math.round(box.height * ratio);
    if (!box.width || !box.height || (width === pad.width && height === pad.height)) {
      return;
    }
    let copy = null;
    if (drawn) {
      copy = document.createElement("canvas");
      copy.width = pad.width;
      copy.height = pad.height;
      copy.getContext("2d").drawImage(pad, 0, 0);
    }
    pad.width = width;
    pad.height = height;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#14143c";
    if (copy) {
      const scale = Math.min(1, box.width / size.width, box.height / size.height);
      context.drawImage(copy, 0, 0, size.width * scale, size.height * scale);
    }
    size = { width: box.width, height: box.height };
    last = null;
  };

  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top, pressure: event.pressure || 0.5 };
  };

  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    if (active !== null && active !== event.pointerId) {
      return;
    }
    active = event.pointerId;
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
    if (!last || event.pointerId !== active) {
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
  const lift = (event) => {
    if (event.pointerId === active) {
      last = null;
      active = null;
    }
  };
  pad.addEventListener("pointerup", lift);
  pad.addEventListener("pointercancel", lift);
  pad.addEventListener("lostpointercapture", lift);

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
  window.addEventListener("resize", fit);
})();
