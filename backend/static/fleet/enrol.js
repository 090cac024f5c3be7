"use strict";
// Enrolment of the authenticator app: show the secret as QR code and text, confirm it with a
// first code, then show the recovery codes once.
document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("enrol-form");
  const error = document.getElementById("enrol-error");
  const fail = (message) => { error.textContent = message; error.hidden = false; };
  try {
    await Fleet.me();
    const enrolment = await Fleet.api("/api/v1/staff/2fa/enrolment", { method: "POST" });
    const qr = document.getElementById("enrol-qr");
    qr.src = enrolment.qr_code;
    qr.hidden = false;
    document.getElementById("enrol-secret").textContent = enrolment.secret;
  } catch (failure) {
    if (failure.status === 409) { location.assign("/fleet"); return; }
    fail("The authenticator secret could not be loaded: " + failure.message);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const code = form.code.value.replace(/\s/g, "");
    if (!/^[0-9]{6}$/.test(code)) { fail("Enter the 6 digits the app shows."); return; }
    try {
      const body = await Fleet.api("/api/v1/staff/2fa/confirm", { method: "POST", json: { code } });
      const list = document.getElementById("recovery-codes");
      for (const one of body.recovery_codes) list.appendChild(Fleet.text("li", one));
      document.getElementById("enrol-step").hidden = true;
      document.getElementById("recovery-step").hidden = false;
    } catch (failure) {
      fail(failure.status === 422
        ? "That code does not match. Check the phone's clock and try the next code."
        : "Could not confirm: " + failure.message);
      form.code.value = "";
      form.code.focus();
    }
  });
});
