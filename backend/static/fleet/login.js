"use strict";
// Signs in through the JSON API, keeps the CSRF token for this tab, then opens the dashboard.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const username = form.username.value.trim();
    const password = form.password.value;
    const code = form.code.value.trim();
    if (!username || !password) {
      error.textContent = "Enter your username and password.";
      error.hidden = false;
      return;
    }
    const response = await fetch("/api/v1/staff/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password, code }),
    });
    if (!response.ok) {
      const wait = Number(response.headers.get("Retry-After") || 0);
      error.textContent = response.status === 429
        ? "Too many failed attempts. Try again in " + (wait > 90
          ? Math.ceil(wait / 60) + " minutes." : Math.max(wait, 1) + " seconds.")
        : "Wrong username, password or authenticator code.";
      error.hidden = false;
      form.password.value = "";
      form.code.value = "";
      form.password.focus();
      return;
    }
    const body = await response.json();
    if (body && body.csrf_token) sessionStorage.setItem(Fleet.CSRF_KEY, body.csrf_token);
    if (body && body.enrolment_required) { location.assign("/fleet/enrol"); return; }
    const next = new URLSearchParams(location.search).get("next") || "";
    location.assign(next.startsWith("/fleet") ? next : "/fleet");
  });
});
