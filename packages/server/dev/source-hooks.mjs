// Module resolve hooks: map the sdk's public entry points to its TypeScript source so that tests
// and `start:dev` run the code in the working tree without a build. tsx (registered before this)
// loads the .ts files.
const sdkSrc = new URL('../../sdk/src/', import.meta.url);
const map = {
  '@quantumapi/sdk': new URL('./sdk-source.ts', import.meta.url).href,
  '@quantumapi/sdk/crypto': new URL('./crypto-source.ts', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (specifier in map) return next(map[specifier], context);
  if (specifier === '#runtime' && context.parentURL?.startsWith(sdkSrc.href)) {
    return next(new URL('runtime/node.ts', sdkSrc).href, context);
  }
  return next(specifier, context);
}
