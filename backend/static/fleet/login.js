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
    if (!username || !password) {
      error.textContent = "Enter your username and password.";
      error.hidden = false;
      return;
    }
    const response = await fetch("/api/v1/staff/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) {
      error.textContent = response.status === 429
        ? "Too many attempts. Wait a minute and try again."
        : "Wrong username or password.";
      error.hidden = false;
      form.password.value = "";
      form.password.focus();
      return;
    }
    const body = await response.json();
    if (body && body.csrf_token) sessionStorage.setItem(Fleet.CSRF_KEY, body.csrf_token);
    const next = new URLSearchParams(location.search).get("next") || "";
    location.assign(next.startsWith("/fleet") ? next : "/fleet");
  });
});
