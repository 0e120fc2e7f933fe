/** No route of the API needs a long URL; refusing early keeps matching and logging cheap. */
export const MAX_URL_LENGTH = 2048;
