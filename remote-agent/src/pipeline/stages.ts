/*
 * The stages every record goes through, in order. Adding a stage is one file
 * (a StageFactory) and one line here.
 */
import { enrichStage } from '../enrich/enrich-stage';
import { symbolizeStage } from '../symbolize/symbolize-stage';
import { pythonFramesStage } from '../runtimes/python/python-frames-stage';
import { pythonAttachStage } from '../runtimes/python/attach/python-attach-stage';
import { nodeFramesStage } from '../runtimes/node/node-frames-stage';
import { rulesStage } from '../rules/rules-stage';
import type { StageFactory } from './stage';

/** decode → these stages → sinks. */
export const STAGES: readonly StageFactory[] = [
  enrichStage,
  symbolizeStage,
  pythonFramesStage,
  pythonAttachStage,
  nodeFramesStage,
  rulesStage,
];
