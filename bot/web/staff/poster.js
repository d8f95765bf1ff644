// The QR poster page: a print button (no inline script: the console's Content-Security-Policy forbids it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
});
