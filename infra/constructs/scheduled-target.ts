import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Schedule,
  type ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';

export interface ScheduledTargetProps {
  description: string;
  schedule: ScheduleExpression;
  /** What the schedule calls: a function (lambda:InvokeFunction) or a state machine (states:StartExecution). */
  target: { arn: string; action: 'lambda:InvokeFunction' | 'states:StartExecution'; resource?: string };
  retryPolicy: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
}

/**
 * A schedule in a group of its own, calling one target through a role that only EventBridge
 * Scheduler may assume, only for schedules of that group in this account (the confused-deputy
 * conditions aws:SourceAccount and aws:SourceArn), allowed exactly the one action on exactly
 * the one resource: not a function's versions (`:*`), which aws-scheduler-targets' grantInvoke
 * would add.
 */
export function scheduledTarget(scope: Construct, id: string, props: ScheduledTargetProps): Schedule {
  const stack = Stack.of(scope);
  const group = new ScheduleGroup(scope, 'Group', {});
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': group.scheduleGroupArn },
      },
    }),
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [props.target.action],
      resources: [props.target.resource ?? props.target.arn],
    }),
  );
  return new Schedule(scope, id, {
    description: props.description,
    schedule: props.schedule,
    scheduleGroup: group,
    target: {
      bind: () => ({
        arn: props.target.arn,
        role,
        input: ScheduleTargetInput.fromObject({}),
        retryPolicy: props.retryPolicy,
      }),
    },
    timeWindow: TimeWindow.off(),
  });
}
