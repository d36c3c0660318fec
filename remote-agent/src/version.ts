/* The agent's version, from package.json at build time. */
import pkg from '../../package.json';

export const AGENT_VERSION: string = pkg.version;
