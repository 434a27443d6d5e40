import { badRequest } from '../../platform/errors.ts';

/** multipart/form-data (RFC 7578) from a fully buffered body: fields and files. */

export interface FormFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}
export interface ParsedForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export function boundaryOf(contentType: string): string | null {
  const m = contentType.match(/boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i);
  return m ? (m[1] ?? m[2]!) : null;
}

function headerParam(header: string, name: string): string | null {
  const m = header.match(new RegExp(`${name}\\*?=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i'));
  if (!m) return null;
  const v = m[1] ?? m[2]!;
  return v.startsWith("UTF-8''") ? decodeURIComponent(v.slice(7)) : v.replace(/\\(.)/g, '$1');
}

export function parseMultipart(body: Buffer, contentType: string): ParsedForm {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw badRequest('multipart body without a boundary');
  const delim = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw badRequest('multipart body without parts');
  while (pos >= 0) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw badRequest('truncated multipart part');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw badRequest('truncated multipart body');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = headers.match(/^content-disposition:(.*)$/im)?.[1] ?? '';
    const name = headerParam(disposition, 'name');
    const filename = headerParam(disposition, 'filename');
    if (name) {
      if (filename !== null) {
        if (filename || data.length)
          files.push({
            field: name,
            filename: filename.split(/[\\/]/).pop() || 'attachment',
            contentType:
              headers.match(/^content-type:\s*([^\r\n;]+)/im)?.[1]?.trim() || 'application/octet-stream',
            data: Buffer.from(data),
          });
      } else fields[name] = data.toString('utf8');
    }
    pos = next + 2;
  }
  return { fields, files };
}
