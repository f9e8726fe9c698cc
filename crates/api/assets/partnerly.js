/*
 * Partnerly's vendor-site script (T8). Put it on the pages partners' links land on:
 *
 *   <script src="https://partners.example.com/js/partnerly.js" data-days="14" defer></script>
 *
 * - Keeps `ref` and `click_id` from the landing URL in first-party cookies for the
 *   attribution window (`data-days`, default 14). With `data-model="first_click"` a
 *   referral already kept is not replaced.
 * - Adds them as hidden `ref` and `click_id` fields to every form marked
 *   `data-partnerly`, so the vendor's own sign-up can pass them on.
 * - Sends forms marked `data-partnerly-lead` (fields name, email, company, message,
 *   and an empty `website` honeypot) to Partnerly as a lead, and offers
 *   `Partnerly.lead({name, email, company, message})`, a Promise.
 * No dependencies, no other cookies, nothing sent but the lead itself.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var attr = function (name, fallback) {
    var value = script && script.getAttribute(name);
    return value === null || value === undefined || value === "" ? fallback : value;
  };
  var api = attr("data-api", script && script.src ? new URL(script.src).origin : "");
  var days = parseInt(attr("data-days", "14"), 10) || 14;
  var firstClick = attr("data-model", "last_click") === "first_click";
  var REF = "partnerly_ref";
  var CLICK = "partnerly_click";

  function getCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return null;
  }

  function setCookie(name, value) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + days * 86400 +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  var safe = /^[A-Za-z0-9_-]{1,40}$/;
  var params = new URLSearchParams(location.search);
  var ref = params.get("ref");
  var click = params.get("click_id");
  if (ref && safe.test(ref) && !(firstClick && getCookie(REF))) {
    setCookie(REF, ref);
    if (click && safe.test(click)) {
      setCookie(CLICK, click);
    }
  }

  function referral() {
    return { ref: getCookie(REF), click_id: getCookie(CLICK) };
  }

  function lead(fields) {
    var r = referral();
    var body = {
      name: fields.name || "",
      email: fields.email || "",
      company: fields.company || null,
      message: fields.message || null,
      website: fields.website || null,
      ref: r.ref,
      click_id: r.click_id
    };
    return fetch(api + "/api/v1/public/leads", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          throw answer;
        }
        return answer;
      });
    });
  }

  function hidden(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value || "";
  }

  function wire() {
    var r = referral();
    var marked = document.querySelectorAll("form[data-partnerly]");
    for (var i = 0; i < marked.length; i++) {
      hidden(marked[i], "ref", r.ref);
      hidden(marked[i], "click_id", r.click_id);
    }
    var leadForms = document.querySelectorAll("form[data-partnerly-lead]");
    for (var j = 0; j < leadForms.length; j++) {
      leadForms[j].addEventListener("submit", function (event) {
        event.preventDefault();
        var form = event.currentTarget;
        var value = function (name) {
          var field = form.elements.namedItem(name);
          return field ? field.value : "";
        };
        var status = form.querySelector("[data-partnerly-status]");
        lead({
          name: value("name"),
          email: value("email"),
          company: value("company"),
          message: value("message"),
          website: value("website")
        }).then(function () {
          form.reset();
          if (status) { status.textContent = "Thank you! We will be in touch."; }
        }, function (error) {
          var message = error && error.message ? error.message : "Sending failed; try again.";
          var fields = error && error.details && error.details.fields;
          if (fields) {
            message = Object.keys(fields).map(function (k) { return fields[k]; }).join(" ");
          }
          if (status) { status.textContent = message; }
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
  window.Partnerly = { lead: lead, referral: referral };
})();
