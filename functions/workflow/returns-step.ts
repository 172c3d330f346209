import { workflowTask } from '#http/workflow-task';
import { runReturnStep } from '#use-cases/returns-workflow';

/** Every task of the returns state machine: one function (the stack is near CloudFormation's 500 resources). */
export const handler = workflowTask(runReturnStep);
