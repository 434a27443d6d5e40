// Every feature's register.ts runs once at start-up, before the first render. Eager on purpose: these
// files only call register*() with lazily imported screens, so they add a few hundred bytes each.
const modules = import.meta.glob('../features/*/register.{ts,tsx}', { eager: true });

export const loadedFeatures = Object.keys(modules).map((p) => p.split('/')[2]!);
