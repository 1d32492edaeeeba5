import { ApiError } from "../../errors";

/**
 * OpenAI media parts → Gemini parts.
 *
 * - `data:<mime>;base64,<data>` URLs → `inlineData {mimeType, data}` (a data URL without a mime
 *   type is taken as image/jpeg; one that is not base64 is a 400).
 * - http(s) and gs:// URLs → `fileData {mimeType, fileUri}`. Gemini fetches the URL itself, and only
 *   some URLs work: Files API URIs, YouTube links, public http(s) URLs on recent models, gs:// on
 *   Vertex. Anything else fails upstream. The mime type is inferred from the path's extension
 *   (png, jpg/jpeg, webp, gif, heic, heif, pdf, …), defaulting to image/jpeg.
 * - `image_url.detail` is dropped (Gemini sets resolution per request, not per image).
 * - `input_audio {data, format}` → `inlineData` audio/wav or audio/mp3.
 * - `file {file_data: <data URL>}` → `inlineData`; `file_id` (OpenAI Files) cannot be resolved → 400.
 */

export type MediaPart =
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } };

const EXT: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif",
  heic: "image/heic", heif: "image/heif", pdf: "application/pdf", mp3: "audio/mp3", wav: "audio/wav",
  mp4: "video/mp4", txt: "text/plain",
};

const bad = (message: string, param: string) => new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

/** Parses a base64 data URL without regex backtracking over the (possibly megabytes long) payload. */
function fromDataUrl(url: string, param: string, fallbackMime: string): MediaPart {
  const comma = url.indexOf(",");
  if (comma < 0) throw bad("The data URL has no ',' separating its header from its data.", param);
  const header = url.slice(5, comma).split(";");
  if (!header.slice(1).some((p) => p.trim().toLowerCase() === "base64")) {
    throw bad("Only base64-encoded data URLs are supported (data:<mime type>;base64,<data>).", param);
  }
  const mimeType = header[0]?.trim().toLowerCase() || fallbackMime;
  return { inlineData: { mimeType, data: url.slice(comma + 1) } };
}

export function mimeFromUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && EXT[ext]) || "image/jpeg";
}

/** An `image_url.url` → Gemini part. */
export function imagePart(url: string, param: string): MediaPart {
  if (/^data:/i.test(url)) return fromDataUrl(url, param, "image/jpeg");
  if (/^(https?|gs):\/\//i.test(url)) return { fileData: { mimeType: mimeFromUrl(url), fileUri: url } };
  throw bad("Image URLs must be http(s) URLs, gs:// URIs or base64 data URLs.", param);
}

export function audioPart(data: string, format: "wav" | "mp3"): MediaPart {
  return { inlineData: { mimeType: format === "wav" ? "audio/wav" : "audio/mp3", data } };
}

/** An OpenAI `file` part (`{file_data, filename}` or `{file_id}`). */
export function filePart(file: Record<string, string>, param: string): MediaPart {
  const data = file.file_data;
  if (typeof data === "string") {
    if (/^data:/i.test(data)) return fromDataUrl(data, `${param}.file_data`, "application/pdf");
    // Raw base64 (no data URL): the type comes from the filename's extension, else PDF.
    const ext = /\.([a-z0-9]+)$/i.exec(file.filename ?? "")?.[1]?.toLowerCase();
    return { inlineData: { mimeType: (ext && EXT[ext]) || "application/pdf", data } };
  }
  if (file.file_id !== undefined) throw bad("Gemini cannot read OpenAI file ids; send the file inline as file_data.", `${param}.file_id`);
  throw bad("A file part needs file_data.", param);
}
