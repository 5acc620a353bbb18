/*
 * Call-center CRM: "Call me back" website widget. One tag on any page:
 *   <script src="https://crm.example/widget/callback.js" data-site-key="site_…" async></script>
 * Optional: data-title, data-target="#element-id" (where the form goes; else right after the tag).
 * No framework, no globals, no inline styles or scripts the host page's CSP must allow beyond
 * this file (script-src and connect-src name the CRM's origin): the form is built with the DOM and
 * styled by a constructed style sheet scoped to .crmcb classes (CSSOM, which style-src does not
 * govern); a browser without constructed sheets gets a <style> element instead.
 * It posts JSON to <origin of this script>/api/public/callbacks.
 */
/* global document, location, URL, fetch, CSSStyleSheet */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[data-site-key][src*='/widget/callback.js']");
    script = all[all.length - 1];
  }
  if (!script || script.getAttribute("data-crmcb-done")) return;
  script.setAttribute("data-crmcb-done", "1");
  var siteKey = script.getAttribute("data-site-key") || "";
  var endpoint = new URL(script.src, location.href).origin + "/api/public/callbacks";
  var uid = "crmcb" + Math.random().toString(36).slice(2, 8);

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  var css =
    ".crmcb{box-sizing:border-box;max-width:340px;margin:12px 0;padding:16px;border:1px solid #d5dbe5;border-radius:10px;background:#fff;color:#1b2330;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}" +
    ".crmcb *{box-sizing:border-box}.crmcb h2{margin:0 0 10px;font-size:16px}" +
    ".crmcb label{display:block;margin:8px 0 3px;font-weight:600;font-size:13px}" +
    ".crmcb input,.crmcb select{width:100%;height:36px;padding:0 9px;border:1px solid #b9c2d0;border-radius:7px;font:inherit;background:#fff;color:inherit}" +
    ".crmcb input:focus,.crmcb select:focus,.crmcb button:focus{outline:2px solid #2f5fd0;outline-offset:1px}" +
    ".crmcb [aria-invalid=true]{border-color:#c0392b}" +
    ".crmcb button{margin-top:12px;width:100%;height:38px;border:0;border-radius:7px;background:#2f5fd0;color:#fff;font:inherit;font-weight:600;cursor:pointer}" +
    ".crmcb button[disabled]{opacity:.6;cursor:default}" +
    ".crmcb .crmcb-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}" +
    ".crmcb .crmcb-msg{margin:10px 0 0;font-size:13px}.crmcb .crmcb-err{color:#b03a2e}.crmcb .crmcb-ok{color:#17774a;font-weight:600}" +
    ".crmcb .crmcb-hint{color:#5b6576;font-size:12px;font-weight:400}";
  addStyles();

  function addStyles() {
    // A <style> element is refused by a host page whose CSP has a style-src without
    // 'unsafe-inline' (the form would show unstyled, its honeypot visible); a constructed sheet is not.
    var adopted = document.adoptedStyleSheets;
    if (adopted && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      if (adopted.some(function (s) { return s.crmcb; })) return;
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheet.crmcb = true;
      document.adoptedStyleSheets = adopted.concat([sheet]);
      return;
    }
    if (!document.getElementById("crmcb-style")) document.head.appendChild(el("style", { id: "crmcb-style", text: css }));
  }

  var name = el("input", { id: uid + "-name", name: "name", type: "text", autocomplete: "name", maxlength: "100" });
  var number = el("input", { id: uid + "-number", name: "number", type: "tel", autocomplete: "tel", required: "", maxlength: "40", "aria-required": "true" });
  var when = el("select", { id: uid + "-when", name: "when" }, [
    el("option", { value: "now", text: "As soon as possible" }),
    el("option", { value: "1", text: "In about an hour" }),
    el("option", { value: "3", text: "In about three hours" }),
    el("option", { value: "tomorrow", text: "Tomorrow morning" }),
  ]);
  // Honeypot: hidden from people and from assistive technology; bots fill every field.
  var hp = el("input", { name: "website", type: "text", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
  var msg = el("p", { class: "crmcb-msg", role: "status", "aria-live": "polite" });
  var button = el("button", { type: "submit", text: "Call me back" });
  var title = script.getAttribute("data-title") || "Would you like us to call you?";
  var form = el("form", { class: "crmcb", novalidate: "", "aria-labelledby": uid + "-title" }, [
    el("h2", { id: uid + "-title", text: title }),
    el("label", { for: uid + "-name" }, ["Your name ", el("span", { class: "crmcb-hint", text: "(optional)" })]),
    name,
    el("label", { for: uid + "-number", text: "Phone number" }),
    number,
    el("label", { for: uid + "-when", text: "When suits you" }),
    when,
    el("div", { class: "crmcb-hp", "aria-hidden": "true" }, [el("label", { text: "Website" }), hp]),
    button,
    msg,
  ]);

  function preferredAt() {
    var v = when.value;
    if (v === "now") return undefined;
    var d = new Date();
    if (v === "tomorrow") {
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
    } else d = new Date(d.getTime() + Number(v) * 3600 * 1000);
    return d.toISOString();
  }

  function show(text, kind) {
    msg.textContent = text;
    msg.className = "crmcb-msg crmcb-" + kind;
    msg.setAttribute("role", kind === "err" ? "alert" : "status");
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    number.removeAttribute("aria-invalid");
    name.removeAttribute("aria-invalid");
    if (!number.value.trim()) {
      number.setAttribute("aria-invalid", "true");
      show("Please enter your phone number.", "err");
      number.focus();
      return;
    }
    var body = { siteKey: siteKey, number: number.value.trim() };
    if (name.value.trim()) body.name = name.value.trim();
    var at = preferredAt();
    if (at) body.preferredAt = at;
    if (hp.value) body.website = hp.value;
    button.disabled = true;
    show("Sending…", "hint");
    fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit", mode: "cors" })
      .then(function (res) {
        return res.text().then(function (t) {
          var data = null;
          try {
            data = t ? JSON.parse(t) : null;
          } catch {
            data = null;
          }
          return { status: res.status, data: data, retry: res.headers.get("Retry-After") };
        });
      })
      .then(function (r) {
        button.disabled = false;
        if (r.status === 202 || r.status === 200) {
          show("Thank you! We will call you back" + (at ? " at the time you chose." : " shortly."), "ok");
          form.setAttribute("data-state", "sent");
          number.value = "";
          return;
        }
        var err = (r.data && r.data.error) || {};
        if (r.status === 400) {
          var field = err.field === "name" ? name : number;
          field.setAttribute("aria-invalid", "true");
          field.focus();
          show(err.field === "name" ? "Please check your name." : "Please check your phone number: it cannot be called.", "err");
        } else if (r.status === 429) {
          var mins = Math.max(1, Math.ceil(Number(r.retry || 60) / 60));
          show("Too many requests. Please try again in " + mins + " minute" + (mins > 1 ? "s" : "") + ".", "err");
        } else show("Sorry, the request could not be sent. Please call us instead.", "err");
        form.setAttribute("data-state", "error");
      })
      .catch(function () {
        button.disabled = false;
        show("Sorry, we could not be reached. Please check your connection and try again.", "err");
        form.setAttribute("data-state", "error");
      });
  });

  function mount() {
    var target = script.getAttribute("data-target");
    var host = target ? document.querySelector(target) : null;
    if (host) host.appendChild(form);
    else if (script.parentNode && script.parentNode !== document.head) script.parentNode.insertBefore(form, script.nextSibling);
    else document.body.appendChild(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
