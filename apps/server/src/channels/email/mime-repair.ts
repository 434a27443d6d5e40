/**
 * Mail with a broken multipart boundary: a part declares `boundary="AA"` but its parts are delimited
 * by `--AB` (a client bug, or a relay that rewrote one of them), or declares none at all. A MIME parser
 * then reads nothing of that part. Here the declared boundaries are matched with the delimiters that
 * really occur, so the message can be re-read; what was done is reported on the message.
 * One linear pass over the bytes (latin1: every byte is one character, so offsets are byte offsets).
 */
export interface MimeRepair {
  raw: Buffer;
  problems: string[];
}

const MULTIPART_HEADER = /^content-type:[ \t]*multipart\/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;
const DELIMITER = /^--([^\s]{1,200})[ \t]*\r?\n(?=[!-9;-~]+:)/gm;
const BOUNDARY_PARAM = /;\s*boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/i;

export function repairBoundaries(raw: Buffer, limit = 32 * 1024 * 1024): MimeRepair | null {
  const text = raw.subarray(0, limit).toString('latin1');
  const headers: { start: number; end: number; boundary: string | null }[] = [];
  for (const m of text.matchAll(MULTIPART_HEADER)) {
    if (headers.length >= 100) break;
    const b = BOUNDARY_PARAM.exec(m[0]);
    headers.push({ start: m.index, end: m.index + m[0].length, boundary: b ? (b[1] ?? b[2])! : null });
  }
  if (!headers.length) return null;
  const used: string[] = [];
  for (const m of text.matchAll(DELIMITER)) {
    const token = m[1]!;
    if (!used.includes(token) && used.length < 50) used.push(token);
  }
  const declared = new Set(headers.map((h) => h.boundary).filter((b): b is string => !!b));
  // A delimiter may be followed by a blank line (a part with no headers): any line start counts.
  const isUsed = (b: string) => text.startsWith(`--${b}`) || text.includes(`\n--${b}`);
  const spare = used.filter((u) => !declared.has(u) && !declared.has(u.replace(/--$/, '')));
  const broken = headers.filter((h) => !h.boundary || !isUsed(h.boundary));
  if (!broken.length) return null;
  const problems: string[] = [];
  let out = text;
  // Later headers first, so earlier offsets stay valid.
  const fixes: { h: (typeof headers)[number]; token: string }[] = [];
  broken.forEach((h, i) => {
    const token = spare[i];
    const kind = /multipart\/([\w-]+)/i.exec(text.slice(h.start, h.end))?.[1] ?? 'mixed';
    if (!token) {
      problems.push(
        h.boundary
          ? `A multipart/${kind} part declares the boundary "${h.boundary}", which never occurs: its contents could not be read.`
          : `A multipart/${kind} part declares no boundary: its contents could not be read.`,
      );
      return;
    }
    fixes.push({ h, token });
    problems.push(
      h.boundary
        ? `A multipart/${kind} part declares the boundary "${h.boundary}" but its parts are separated by "--${token}"; it was read with that boundary.`
        : `A multipart/${kind} part declares no boundary; it was read with "--${token}", found in the message.`,
    );
  });
  if (!fixes.length) return { raw, problems };
  for (const { h, token } of fixes.reverse()) {
    const header = text.slice(h.start, h.end);
    const fixed = h.boundary
      ? header.replace(BOUNDARY_PARAM, `; boundary="${token}"`)
      : `${header}; boundary="${token}"`;
    out = out.slice(0, h.start) + fixed + out.slice(h.end);
  }
  const rest = raw.length > limit ? raw.subarray(limit) : null;
  const repaired = Buffer.from(out, 'latin1');
  return { raw: rest ? Buffer.concat([repaired, rest]) : repaired, problems };
}
