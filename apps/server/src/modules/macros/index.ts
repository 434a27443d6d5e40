export { registerMacroRoutes } from './macros.routes.ts';
export { createMacrosService, type MacrosService, type VariableProvider } from './macros.service.ts';
