// Module resolve hook registered by compat-loader.mjs: the compat packages from COMPAT_DIR.
import { COMPAT_PACKAGES, COMPAT_PARENT_URL } from './compat-modules.mjs';

export async function resolve(specifier, context, nextResolve) {
  const name = specifier.split('/')[0];
  if (COMPAT_PACKAGES.includes(name)) return nextResolve(specifier, { ...context, parentURL: COMPAT_PARENT_URL });
  return nextResolve(specifier, context);
}
