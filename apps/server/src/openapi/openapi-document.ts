import type { AppRoute } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import {
  contract,
  READ_AFTER_DESCRIPTIONS,
  READ_AFTER_HEADER,
  REASON_PHRASES,
  type RouteMeta,
  readAfterRole,
  type Scope,
} from '@usermeta/contract';
import type { OperationObject, RequestBodyObject, ResponsesObject } from 'openapi3-ts';

const SECURITY_SCHEME = 'BearerApiKeyAuth';

/** Answers that reflect the database (not 401/403 from the gate, not 5xx) carry the consistency token. */
const carriesToken = (route: AppRoute, code: number) =>
  readAfterRole(route) !== undefined && code < 500 && code !== 401 && code !== 403;

function describeResponses(responses: ResponsesObject, meta: RouteMeta, route: AppRoute): ResponsesObject {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => {
      const code = Number(status);
      const description =
        meta.responseDescriptions?.[code] ??
        REASON_PHRASES[code as keyof typeof REASON_PHRASES] ??
        response.description;
      const declared = meta.responseHeaders?.[code];
      const headers = carriesToken(route, code)
        ? { ...declared, [READ_AFTER_HEADER]: READ_AFTER_DESCRIPTIONS.response }
        : declared;
      const documented = headers
        ? {
            headers: Object.fromEntries(
              Object.entries(headers).map(([name, about]) => [
                name,
                { description: about, schema: { type: 'string' } },
              ]),
            ),
          }
        : {};
      return [status, { ...response, description, ...documented }];
    }),
  );
}

/** The operation's description, ending with the scope a key needs for it. */
function describeScope(scope: Scope | 'any-key', description: string | undefined): string {
  const line = scope === 'any-key' ? 'Required scope: none (any valid API key).' : `Required scope: \`${scope}\`.`;
  return description ? `${description}\n\n${line}` : line;
}

/** The OpenAPI 3 document of the whole API, generated from the contract. */
export function buildOpenApiDocument(version: string) {
  return generateOpenApi(
    contract,
    {
      info: {
        title: 'usermeta Admin API',
        version,
        description:
          'Per-user metadata, wire-compatible with the Hanko Admin API "User Metadata Management" operations. ' +
          'Every route except health, this document and the docs page needs `Authorization: Bearer <API key>`. ' +
          'Root keys (ADMIN_API_KEYS) hold every scope; keys made through /api-keys hold the scopes they were given. ' +
          'Each operation names the scope it needs (in its description and in `x-required-scope`); a valid key without it gets 403.',
      },
      tags: [
        { name: 'User Metadata Management' },
        { name: 'User Management' },
        { name: 'Health', description: 'Public: no key needed' },
        { name: 'API Keys', description: 'Keys with scopes and kind limits, made, listed and revoked' },
      ],
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: {
            description: 'Bearer authentication header of the form `Bearer <token>`, where `<token>` is your API key.',
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'API Key',
          },
        },
      },
    },
    {
      operationMapper: (operation, route) => {
        const meta = route.metadata as RouteMeta;
        const mapped: OperationObject = {
          ...operation,
          operationId: meta.operationId,
          tags: [meta.tag],
          // OpenAPI 3.0: an http-bearer requirement lists no scopes; the scope goes beside it.
          security: meta.auth === 'bearer' ? [{ [SECURITY_SCHEME]: [] }] : [],
          responses: describeResponses(operation.responses, meta, route),
        };
        if (meta.auth === 'bearer') {
          mapped.description = describeScope(meta.scope, operation.description);
          mapped['x-required-scope'] = meta.scope;
        }
        const requestHeaders =
          readAfterRole(route) === 'read'
            ? { ...meta.requestHeaders, [READ_AFTER_HEADER]: READ_AFTER_DESCRIPTIONS.request }
            : meta.requestHeaders;
        if (requestHeaders) {
          const headerParameters = Object.entries(requestHeaders).map(([name, description]) => ({
            name,
            in: 'header' as const,
            required: false,
            description,
            schema: { type: 'string' as const },
          }));
          mapped.parameters = [...(operation.parameters ?? []), ...headerParameters];
        }
        const body = operation.requestBody as RequestBodyObject | undefined;
        const json = body?.content['application/json'];
        if (json && route.method === 'PATCH') {
          mapped.requestBody = {
            ...body,
            required: true,
            content: { 'application/json': json, 'application/merge-patch+json': json },
          };
        }
        return mapped;
      },
    },
  );
}
