// The container files stay honest without a Docker daemon (CI has none): the Dockerfile builds with
// the tested install script in a separate stage, runs as an unprivileged user with a data volume and
// a health check on /api/ready; compose.yaml runs it on PostgreSQL with the settings a node needs.
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, root), 'utf8');

describe('Dockerfile', () => {
  const df = DockerfileParser.parse(read('Dockerfile'));
  const instructions = df.getInstructions();
  const lastFrom = Math.max(...instructions.map((x, i) => (x.getKeyword() === 'FROM' ? i : -1)));
  const final = instructions.slice(lastFrom);
  const args = (kw: string, list = final) =>
    list.filter((x) => x.getKeyword() === kw).map((x) => x.getArgumentsContent() ?? '');

  it('builds in its own stage with the tested install script', () => {
    expect(df.getFROMs().length).toBeGreaterThanOrEqual(2);
    const build = instructions.slice(0, lastFrom);
    expect(args('RUN', build).join('\n')).toContain('scripts/install-production.sh');
    // The runtime stage copies the build output, never builds.
    expect(args('RUN').join('\n')).not.toMatch(/npm (ci|install|run build)/);
    const copies = final.filter((x) => x.getKeyword() === 'COPY').map((x) => x.getTextContent());
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((c) => c.includes('--from=build'))).toBe(true);
    for (const out of [
      'apps/server/dist',
      'apps/server/migrations',
      'apps/dashboard/dist',
      'apps/widget/dist',
    ])
      expect(args('COPY').join('\n')).toContain(out);
  });

  it('runs as a non-root user with a data volume, production settings and a health check on /api/ready', () => {
    const user = args('USER').at(-1);
    expect(user).toBeTruthy();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = args('ENV').join(' ');
    expect(env).toContain('NODE_ENV=production');
    expect(env).toContain('SHOPDESK_DATA_DIR=/data');
    expect(args('VOLUME').join(' ')).toContain('/data');
    expect(args('HEALTHCHECK').join(' ')).toContain('/api/ready');
    expect(args('CMD').at(-1)).toContain('apps/server/bin/shopdesk.js", "start"');
  });

  it('keeps local installs and data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', 'data', '.env', '**/dist']) expect(ignored).toContain(p);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, Record<string, unknown> & { environment?: Record<string, string> }>;
    volumes: Record<string, unknown>;
  };

  it('runs the image on PostgreSQL with a shared key, waiting for the database to be healthy', () => {
    const { db, shopdesk } = compose.services;
    expect(String(db!.image)).toMatch(/^postgres:\d+/);
    expect(db!.healthcheck).toBeTruthy();
    expect(shopdesk!.build).toBe('.');
    expect(shopdesk!.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(shopdesk!.environment!.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@db:5432\//);
    // Required: without it the start refuses on PostgreSQL (and compose says so before starting).
    expect(shopdesk!.environment!.SECRET_KEY).toMatch(/^\$\{SECRET_KEY:\?/);
    expect(shopdesk!.volumes).toContain('shopdesk-data:/data');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'shopdesk-data']));
  });
});
