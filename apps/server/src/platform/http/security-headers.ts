import type { FastifyHelmetOptions } from '@fastify/helmet';

/** Sites whose players an article may embed (the help center's markdown allows these two). */
export const VIDEO_FRAME_SOURCES = ['https://www.youtube-nocookie.com', 'https://player.vimeo.com'];

/**
 * Security headers for every response, set by @fastify/helmet. The CSP is the dashboard's: its
 * scripts come only from this origin and no other site may frame it. Pages with other needs set their
 * own policy on the response, which replaces this one: the help center (nonce scripts, frameable by
 * itself), file downloads and mail bodies (`sandbox; default-src 'none'`). The chat widget runs in the
 * shop's own page (not a frame), so only its script, file links and avatars need
 * Cross-Origin-Resource-Policy: cross-origin, which those routes set.
 */
export function securityHeaders(o: { publicUrl: string }): FastifyHelmetOptions {
  const https = o.publicUrl.startsWith('https:');
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // React sets style attributes, and the sandboxed mail and article previews carry <style>.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Mail images once the agent allows them, pasted images (blob:), avatars, logos.
        imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameSrc: ["'self'", ...VIDEO_FRAME_SOURCES],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only behind HTTPS: on plain http (development) it would rewrite every asset URL to https.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 180 * 86_400 } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  };
}
