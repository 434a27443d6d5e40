import {
  CreateMacro,
  Macro,
  MacroVariables,
  RenderedMacro,
  RenderMacroInput,
  UpdateMacro,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { MacrosService } from './macros.service.ts';

export function registerMacroRoutes(r: Router, svc: MacrosService) {
  r.add({
    method: 'GET',
    url: '/api/v1/macros',
    summary: 'Macros (canned replies): shared ones and your own, most used first',
    tag: 'Macros',
    access: 'read-only',
    response: z.object({ items: z.array(Macro) }),
    handler: async ({ auth }) => ({ items: await svc.list(auth) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/macros/variables',
    summary:
      'Variables a macro body can use, e.g. {{customer.first_name}} or {{customer.first_name | there}}',
    tag: 'Macros',
    access: 'read-only',
    response: MacroVariables,
    handler: async () => ({ variables: svc.variables() }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/macros',
    summary: 'Create a macro (shared macros need the lead role; personal ones any agent)',
    tag: 'Macros',
    access: 'agent',
    body: CreateMacro,
    response: Macro,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/macros/:id',
    summary: 'Change a macro',
    tag: 'Macros',
    access: 'agent',
    params: IdParams,
    body: UpdateMacro,
    response: Macro,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/macros/:id',
    summary: 'Delete a macro',
    tag: 'Macros',
    access: 'agent',
    params: IdParams,
    handler: async ({ auth, params }) => svc.remove(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/macros/:id/render',
    summary:
      "Fill the macro's variables for a ticket; returns the text, the field changes and unfilled variables",
    tag: 'Macros',
    access: 'agent',
    params: IdParams,
    body: RenderMacroInput,
    response: RenderedMacro,
    handler: async ({ auth, params, body }) => svc.render(auth, params.id, body.ticketId),
  });
}
