/** The chat panel's CSS; it lives in the widget's shadow root and reaches nothing outside. */

export const PANEL_CSS = `
.panel{position:fixed;bottom:88px;right:20px;width:370px;height:min(580px,calc(100vh - 108px));display:flex;
flex-direction:column;background:#fff;color:#111827;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);
overflow:hidden;box-sizing:border-box;text-align:left}
.panel[hidden]{display:none}
.left .panel{right:auto;left:20px}
.panel *{box-sizing:border-box}
header{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--parlor-color);color:#fff}
header img{width:36px;height:36px;border-radius:50%;object-fit:cover;background:#fff}
header img[hidden]{display:none}
.heading{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.presence{margin:0;font-size:12px;opacity:.9}
.close{border:0;background:transparent;color:inherit;font-size:24px;line-height:1;width:32px;height:32px;cursor:pointer;
border-radius:6px;padding:0}
.close:focus-visible,.send:focus-visible,textarea:focus-visible,.log:focus-visible{outline:2px solid #111827;outline-offset:2px}
.status{margin:0;padding:6px 14px;font-size:13px;background:#fef3c7;color:#78350f}
.status.fatal{background:#fee2e2;color:#7f1d1d}
.status[hidden],.older[hidden],.typing[hidden],.greeting[hidden]{display:none}
.scroll{flex:1;overflow-y:auto;padding:12px 14px;background:#f9fafb}
.greeting{margin:0 0 12px;padding:10px 12px;background:#fff;border-radius:10px;border:1px solid #e5e7eb;
white-space:pre-wrap;overflow-wrap:anywhere}
.older{margin:0 0 8px;font-size:12px;text-align:center;color:#6b7280}
.log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}
.message{max-width:85%;padding:7px 10px;border-radius:12px;background:#fff;border:1px solid #e5e7eb;align-self:flex-start}
.message.mine{align-self:flex-end;background:var(--parlor-color);border-color:transparent;color:#fff}
.sender{display:block;font-size:12px;font-weight:600;opacity:.8}
.body{white-space:pre-wrap;overflow-wrap:anywhere}
.body a{color:inherit;text-decoration:underline}
.meta{display:flex;gap:6px;justify-content:flex-end;font-size:11px;opacity:.75;margin-top:2px}
.message[data-state=failed] .state{font-weight:700}
.typing{margin:0;padding:2px 14px;font-size:12px;color:#6b7280;font-style:italic;background:#f9fafb}
form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}
textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 10px;border:1px solid #d1d5db;border-radius:10px;
font:inherit;color:inherit;background:#fff}
.send{border:0;border-radius:10px;padding:0 14px;background:var(--parlor-color);color:#fff;font:inherit;font-weight:600;
cursor:pointer}
textarea:disabled,.send:disabled{opacity:.5;cursor:not-allowed}
.attach{border:1px solid #d1d5db;border-radius:10px;width:40px;background:#fff;color:#374151;font:inherit;font-size:22px;
line-height:1;cursor:pointer;padding:0}
.attach:disabled{opacity:.5;cursor:not-allowed}
.attach:focus-visible{outline:2px solid #111827;outline-offset:2px}
.file[hidden]{display:none}
.attachment.image{display:block;line-height:0}
.thumb{display:block;max-width:220px;max-height:180px;border-radius:8px;background:#e5e7eb}
.attachment.file{overflow-wrap:anywhere}
.rating{flex-direction:column;gap:6px;margin-top:12px;border:1px solid #e5e7eb;border-radius:10px}
.rating .prompt,.rating .note,.rating .thanks{margin:0}
.rating .note:empty{display:none}
.scores{display:flex;gap:6px}
.scores label{flex:1;text-align:center;border:1px solid #d1d5db;border-radius:8px;padding:6px 0;cursor:pointer}
.scores label:has(input:checked){background:var(--parlor-color);color:#fff;border-color:transparent}
.scores input{position:absolute;opacity:0}
.rating .send{padding:8px 14px}
form[hidden]{display:none}
.capture{flex-direction:column;gap:6px;border-top:0;border-bottom:1px solid #e5e7eb;font-size:13px}
.capture p{margin:0}.capture label{display:flex;flex-direction:column;gap:2px}
.capture input,.capture textarea{padding:7px 9px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
.capture-buttons{display:flex;gap:8px}.capture .send{padding:8px 14px}
.skip{border:0;background:none;color:#4b5563;font:inherit;cursor:pointer;text-decoration:underline}
.capture-error{color:#b91c1c}.capture-error:empty{display:none}
@media (max-width:479.98px){.panel,.left .panel{inset:0;width:auto;height:auto;border-radius:0}
.open .launcher{display:none}}
`;
