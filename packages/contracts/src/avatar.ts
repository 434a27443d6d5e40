/**
 * Agent avatar limits, without zod, so the dashboard's profile page can check a file before uploading
 * without pulling the schemas into its bundle (`@shopdesk/contracts/avatar`).
 */
export const AVATAR_MAX_BYTES = 1024 * 1024;
export const AVATAR_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
