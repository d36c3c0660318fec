/*
 * How a launch configuration starts its debuggee through the agent's hold
 * wrapper, per debug type, so the debuggee is held at entry until the probe
 * follows it and gets the environment that makes its Node and Python
 * processes report their stacks. The user's own env is kept (their
 * NODE_OPTIONS and PYTHONPATH are given to the agent, which keeps them).
 * Debug types not known here are not wrapped: they are traced from the pid
 * their adapter reports (DAP `process` event).
 */
import type { DebugPrepareParams, DebugPrepareResult } from '../../../remote-agent/src/protocol';
import { HOLD_EXEC_ENV } from '../../../remote-agent/src/debug/hold-env';

/** A debug configuration as VS Code hands it to providers (only what is read or set here). */
export type LaunchConfig = Record<string, unknown> & { type: string; request: string; name: string };

/** How a debug type's runtime is wrapped. */
interface Wrapping {
  /** the environment values the adapter itself replaces rather than merges (js-debug appends its own NODE_OPTIONS) */
  userEnv(config: LaunchConfig, hostEnv: NodeJS.ProcessEnv): DebugPrepareParams['env'];
  /** the configuration that runs `hold` in front of the runtime */
  wrap(config: LaunchConfig, hold: string): { config: LaunchConfig; runtime: string };
}

const envOf = (config: LaunchConfig): Record<string, string> => (config.env && typeof config.env === 'object' ? config.env as Record<string, string> : {});

/** js-debug (node, pwa-node): runtimeExecutable becomes the wrapper, which runs the runtime it replaced. */
const jsDebug: Wrapping = {
  userEnv: (config, hostEnv) => ({
    // js-debug adds the host's NODE_OPTIONS itself after the configuration's
    ...(envOf(config).NODE_OPTIONS !== undefined ? { NODE_OPTIONS: envOf(config).NODE_OPTIONS } : {}),
    ...pythonPath(config, hostEnv),
  }),
  wrap: (config, hold) => {
    const runtime = typeof config.runtimeExecutable === 'string' && config.runtimeExecutable ? config.runtimeExecutable : 'node';
    return { config: { ...config, runtimeExecutable: hold }, runtime };
  },
};

/** debugpy (python, debugpy): `python` becomes the wrapper; the launcher keeps the real interpreter (debugLauncherPython). */
const debugpy: Wrapping = {
  userEnv: (config, hostEnv) => ({
    ...(envOf(config).NODE_OPTIONS ?? hostEnv.NODE_OPTIONS) !== undefined ? { NODE_OPTIONS: envOf(config).NODE_OPTIONS ?? hostEnv.NODE_OPTIONS } : {},
    ...pythonPath(config, hostEnv),
  }),
  wrap: (config, hold) => {
    const given = Array.isArray(config.python) ? config.python as string[] : typeof config.python === 'string' ? [config.python] : [];
    const runtime = given[0] ?? 'python3';
    const wrapped: LaunchConfig = { ...config, python: [hold, ...given.slice(1)] };
    if (wrapped.debugLauncherPython === undefined) wrapped.debugLauncherPython = runtime;
    return { config: wrapped, runtime };
  },
};

function pythonPath(config: LaunchConfig, hostEnv: NodeJS.ProcessEnv): { PYTHONPATH?: string } {
  const value = envOf(config).PYTHONPATH ?? hostEnv.PYTHONPATH;
  return value !== undefined ? { PYTHONPATH: value } : {};
}

const WRAPPINGS: Record<string, Wrapping> = { node: jsDebug, 'pwa-node': jsDebug, python: debugpy, debugpy };

/** Whether the hold wrapper can be put in front of this configuration's debuggee. */
export function canHold(config: LaunchConfig): boolean {
  return config.request === 'launch' && WRAPPINGS[config.type] !== undefined && config.noDebug !== true;
}

/** The user's NODE_OPTIONS and PYTHONPATH as the debuggee would get them (for debug/prepare). */
export function userEnvFor(config: LaunchConfig, hostEnv: NodeJS.ProcessEnv): DebugPrepareParams['env'] {
  return WRAPPINGS[config.type]?.userEnv(config, hostEnv) ?? {};
}

/** The configuration with the hold in front of its runtime and the prepared environment added to the user's. */
export function withHold(config: LaunchConfig, prepared: DebugPrepareResult): LaunchConfig {
  const wrapping = WRAPPINGS[config.type];
  if (!wrapping) return config;
  const { config: wrapped, runtime } = wrapping.wrap(config, prepared.hold);
  return { ...wrapped, env: { ...envOf(config), ...prepared.env, [HOLD_EXEC_ENV]: runtime } };
}
