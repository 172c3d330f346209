import { Aspects, Duration, type IAspect, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';

export interface AuditProps {
  /** The service table: its stream feeds the trail, and the trail is stored in it. */
  table: Table;
  /** The values the stack sets (TABLE_NAME and settings); the recorder gets what it reads. */
  environment: Record<string, string>;
  /** Keep the anchors bucket when the stack is deleted (prod). */
  retain: boolean;
  /** Object Lock default retention of every anchored head (`invoice:auditAnchorRetentionYears`). */
  anchorRetentionYears: number;
  /** Where the anchors bucket's server access logs go. */
  accessLogs: IBucket;
}

/**
 * The partition keys of what is audited and of the trail itself, as in the key builders of
 * shared/adapters/dynamodb.ts (`keys.application`, `keys.invoice`, `keys.title`,
 * `keys.auditTrail`); test/infra checks both agree.
 */
export const AUDITED_KEYS = {
  application: { pkPrefix: 'APPLICATION#', sk: 'APPLICATION' },
  invoice: { pkPrefix: 'INVOICE#', sk: 'INVOICE' },
  /** R35: the invoice's copy request, beside the invoice item (`keys.copyRequest`). */
  copyRequest: { pkPrefix: 'INVOICE#', sk: 'COPY_REQUEST' },
  /** R34: a return of an invoice (`keys.invoiceReturn`). */
  invoiceReturn: { pkPrefix: 'RETURN#', sk: 'RETURN' },
  title: { pkPrefix: 'ACCOUNT#', skPrefix: 'TITLE#' },
  auditPrefix: 'AUDIT#',
} as const;

/**
 * The audit trail (issue 7): the table's stream feeds one consumer, which appends a
 * hash-chained entry per change of an application, invoice, title, return or copy request.
 *
 * - Only those items reach it (event filters; it checks again).
 * - A failing batch is bisected and retried, the function reports the first failed record per
 *   subject, and retries go on until the record leaves the stream (24 h): per-subject order
 *   must hold, so nothing is skipped. What still fails is recorded in an SQS queue for
 *   operators (the shard and sequence range, to replay from the stream).
 * - Only this function may write audit items: every other function of the stack is denied
 *   writes to partition keys starting with AUDIT# (dynamodb:LeadingKeys), on top of there
 *   being no code path that writes them.
 * - Chain heads are anchored outside the table: after each batch the recorder writes every
 *   subject's new head to the anchors bucket (versioned, Object Lock in compliance mode), so a
 *   chain rewritten as a whole in the table no longer matches its anchors. Only the recorder
 *   may put anchors; the verify route reads them.
 */
export class Audit extends Construct {
  readonly recorder: ServiceFunction;
  readonly failures: Queue;
  readonly anchors: Bucket;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    this.anchors = new Bucket(this, 'Anchors', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(
        Duration.days(365 * props.anchorRetentionYears),
      ),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'audit-anchors/',
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.recorder = new ServiceFunction(this, 'RecordChanges', {
      entry: 'functions/audit/record-changes.ts',
      environment: { ...props.environment, AUDIT_ANCHORS_BUCKET: this.anchors.bucketName },
      timeout: Duration.seconds(60),
    });
    props.table.grantReadWriteData(this.recorder);
    this.anchors.grantPut(this.recorder);

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead end: the stream mapping’s on-failure destination, read by operators; a DLQ behind it would add nothing.',
    });
    const { application, invoice, copyRequest, invoiceReturn, title } = AUDITED_KEYS;
    this.recorder.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: -1,
        onFailure: new SqsDlq(this.failures),
        filters: [
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith(application.pkPrefix) },
                sk: { S: FilterRule.isEqual(application.sk) },
              },
            },
          }),
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith(invoice.pkPrefix) },
                sk: { S: FilterRule.or(invoice.sk, copyRequest.sk) },
              },
            },
          }),
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith(invoiceReturn.pkPrefix) },
                sk: { S: FilterRule.isEqual(invoiceReturn.sk) },
              },
            },
          }),
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith(title.pkPrefix) },
                sk: { S: FilterRule.beginsWith(title.skPrefix) },
              },
            },
          }),
        ],
      }),
    );

    Aspects.of(Stack.of(this)).add(new AuditWriteFence(props.table, this.recorder));
  }
}

/** Denies every ServiceFunction of the stack but the recorder any write to audit items. */
class AuditWriteFence implements IAspect {
  constructor(
    private readonly table: Table,
    private readonly recorder: ServiceFunction,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof ServiceFunction) || node === this.recorder) return;
    node.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [this.table.tableArn],
        conditions: {
          'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDITED_KEYS.auditPrefix}*`] },
        },
      }),
    );
  }
}
