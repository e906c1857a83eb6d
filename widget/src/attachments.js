/**
 * Files in the chat, shared by the widget and the dashboard: an upload goes over HTTP with a
 * short-lived grant (never through the socket), and a message that carries a file (its
 * client_msg_id is the attachment's id) shows it as an image thumbnail or a download link.
 * Names go in through textContent; links only to Parlor's own signed download paths.
 */

const ATTACHMENT_ID = /^att_[A-Za-z0-9_-]{22}$/;
const DOWNLOAD_PREFIX = "/api/v1/attachments/files/";
const SIZE_UNITS = ["B", "KB", "MB", "GB"];

/** An upload the platform refused; `code` is its problem code (e.g. "file_too_large"). */
export class UploadError extends Error {
  constructor(code) {
    super(`upload refused: ${code}`);
    this.code = code;
  }
}

/**
 * Return the attachment id a message item carries, or null.
 * @param {{key?: string}} item
 */
export function attachmentIdOf(item) {
  return typeof item.key === "string" && ATTACHMENT_ID.test(item.key) ? item.key : null;
}

/**
 * Ask for a grant, then PUT the file's bytes; resolves to the stored attachment.
 * @param {{base: string, token: string, room: string, file: File, fetchImpl?: typeof fetch}} options
 */
export async function attachmentUpload({ base, token, room, file, fetchImpl = globalThis.fetch }) {
  const granted = await apiJson(fetchImpl, `${base}/api/v1/attachments/grants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ room, name: file.name || "file", size: file.size }),
  });
  return apiJson(fetchImpl, base + granted.upload_url, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream" },
    body: file,
  });
}

/**
 * Return an attachment's metadata and a fresh signed URL.
 * @param {{base: string, token: string, id: string, fetchImpl?: typeof fetch}} options
 */
export function attachmentRead({ base, token, id, fetchImpl = globalThis.fetch }) {
  return apiJson(fetchImpl, `${base}/api/v1/attachments/${id}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function apiJson(fetchImpl, url, init) {
  const response = await fetchImpl(url, { credentials: "omit", ...init });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new UploadError(typeof body.code === "string" ? body.code : `http_${response.status}`);
  return body;
}

/**
 * Return the element showing `meta`: a thumbnail for an inline image, else a file link.
 * @param {Document} document
 * @param {object} meta an attachment as the API returns it
 * @param {string} base the platform's URL ("" on its own pages)
 * @returns {HTMLAnchorElement|null} null for a URL that is not a Parlor download path
 */
export function attachmentElement(document, meta, base) {
  if (typeof meta.url !== "string" || !meta.url.startsWith(DOWNLOAD_PREFIX)) return null;
  const link = document.createElement("a");
  link.className = meta.inline ? "attachment image" : "attachment file";
  link.href = base + meta.url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  const name = String(meta.name ?? "");
  if (meta.inline) {
    const image = document.createElement("img");
    image.className = "thumb";
    image.alt = name;
    image.src = link.href;
    link.append(image);
  } else {
    link.setAttribute("download", name);
    link.textContent = `${name} (${formatSize(meta.size)})`;
  }
  return link;
}

/**
 * Return `bytes` in words: "812 B", "48.2 KB", "3.1 MB".
 * @param {number} bytes
 */
export function formatSize(bytes) {
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${SIZE_UNITS[unit]}`;
}

/**
 * Replace the body of `element` (a message carrying a file) with the file, fetched once.
 * @param {{document: Document, element: HTMLElement, item: object, base: string,
 *   token: string|null, fetchImpl?: typeof fetch}} options
 */
export async function attachmentShow({ document, element, item, base, token, fetchImpl }) {
  const id = attachmentIdOf(item);
  if (!id || !token || item.id === null || element.dataset.attachment) return;
  element.dataset.attachment = "loading";
  try {
    const meta = await attachmentRead({ base, token, id, fetchImpl });
    // Only the message that carries the file shows it, not one that copied its id.
    const shown = meta.id === id && meta.message === item.id ? attachmentElement(document, meta, base) : null;
    if (!shown) throw new Error("not this message's attachment");
    element.querySelector(".body").replaceChildren(shown);
    element.dataset.attachment = "shown";
  } catch {
    element.dataset.attachment = "failed";
  }
}
