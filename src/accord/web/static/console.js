// The console's only script (served from the node; the pages allow no other and no inline
// script). The release form's live decision preview, label picker and file size check, and
// the audit page's check of an entry's inclusion proof in the browser.
"use strict";

function preview(form) {
  const target = document.getElementById("preview");
  let timer = null;
  const ask = async () => {
    // The decision needs the fields, not the text or the file.
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && name !== "text") body.append(name, value);
    }
    const answer = await fetch(form.dataset.preview, {
      method: "POST", body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    target.innerHTML = await answer.text();  // the node's own escaped HTML fragment
  };
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { ask().catch(() => { target.textContent = "The preview is unavailable."; }); }, 250);
  };
  for (const name of ["recipient", "label", "capability", "activity"]) {
    const field = form.elements.namedItem(name);
    field.addEventListener("input", changed);
    field.addEventListener("change", changed);
  }
  if (form.elements.namedItem("recipient").value) changed();
}

// RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, with WebCrypto's SHA-256.
async function sha256(...parts) {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { joined.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
function unhex(text) { return new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16))); }

async function rootFromProof(entry, index, size, proof) {
  if (index >= size) return null;
  let fn = index, sn = size - 1;
  let r = await sha256(new Uint8Array([0]), entry);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

async function checkInclusion(node) {
  const entry = Uint8Array.from(atob(node.dataset.entry), (c) => c.charCodeAt(0));
  const proof = node.dataset.proof ? node.dataset.proof.split(",").map(unhex) : [];
  const root = await rootFromProof(entry, Number(node.dataset.index), Number(node.dataset.size), proof);
  const ok = root !== null && hex(root) === node.dataset.root;
  node.className = ok ? "ok" : "bad";
  node.textContent = ok
    ? "In your browser: verified (the entry's hash and its proof lead to the checkpoint's root " + node.dataset.root.slice(0, 16) + "…)."
    : "In your browser: NOT verified (the proof does not lead to the checkpoint's root).";
}

// The label picker: a banner from the classification, the nations it is releasable to and
// NOFORN (the node reads and checks the banner: a contradiction is refused there, with why).
function labelPicker(form) {
  const picker = document.getElementById("label-picker");
  if (!picker) return;
  picker.querySelector("#pick-use").addEventListener("click", () => {
    const fields = [picker.querySelector("#pick-level").value];
    const nations = Array.from(picker.querySelectorAll(".pick-rel:checked"), (box) => box.value);
    if (nations.length) fields.push("REL TO " + [picker.dataset.own, ...nations].join(", "));
    const noforn = picker.querySelector("#pick-noforn");
    if (noforn && noforn.checked) fields.push("NOFORN");
    const label = form.elements.namedItem("label");
    label.value = fields.join("//");
    label.dispatchEvent(new Event("input"));
    label.focus();
  });
}

// A file over the node's limit is refused here, before it is sent (the node refuses it too).
function limitFiles(form) {
  for (const input of form.querySelectorAll("input[type=file][data-max-bytes]")) {
    input.addEventListener("change", () => {
      const limit = Number(input.dataset.maxBytes);
      const file = input.files[0];
      input.setCustomValidity(file && file.size > limit ? "This file is over " + limit + " bytes, the most a message may carry." : "");
      input.reportValidity();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("release-form");
  if (form) { preview(form); labelPicker(form); limitFiles(form); }
  const check = document.getElementById("browser-check");
  if (check) checkInclusion(check).catch(() => { check.className = "bad"; check.textContent = "In your browser: the check could not run."; });
});
