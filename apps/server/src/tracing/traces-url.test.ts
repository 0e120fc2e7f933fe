import { describe, expect, it } from 'vitest';
import { tracesUrl } from './open-telemetry.js';

describe('tracesUrl', () => {
  it('when the endpoint is a base URL, with or without a path or trailing slash, then traces go to v1/traces below it', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://gateway.example/otlp')).toBe('https://gateway.example/otlp/v1/traces');
  });
});
