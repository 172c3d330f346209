import { ArnFormat, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { Audit } from './constructs/audit.ts';
import { Console } from './constructs/console.ts';
import { Data } from './constructs/data.ts';
import { Deadlines } from './constructs/deadlines.ts';
import { Documents } from './constructs/documents.ts';
import { DomainEvents } from './constructs/events.ts';
import { ServiceFunction } from './constructs/function-defaults.ts';
import { Mail, MailFeedback } from './constructs/mail.ts';
import { Monthly } from './constructs/monthly.ts';
import { Operations } from './constructs/operations.ts';
import { Returns } from './constructs/returns.ts';
import { Sweeper } from './constructs/sweeper.ts';
import { Webhooks } from './constructs/webhooks.ts';
import { Workflow } from './constructs/workflow.ts';
import { API_FUNCTIONS, type ApiFunction } from './routes.ts';
import type { ServiceSettings } from './settings.ts';

export interface InvoiceServiceStackProps extends StackProps {
  settings: ServiceSettings;
  /** The API's functions and their routes; API_FUNCTIONS unless a test adds a route. */
  apiFunctions?: readonly ApiFunction[];
}

export class InvoiceServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: InvoiceServiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const retain = settings.stage === 'prod';
    const data = new Data(this, 'Data', { retain });
    const documents = new Documents(this, 'Documents', {
      retain,
      retentionYears: settings.documentRetentionYears,
    });
    const mail = new Mail(this, 'Mail', { from: settings.mailFrom });
    // The domain events' bus (issue 14); the table-facts consumer publishes, others add rules.
    const events = new DomainEvents(this, 'Events', { stage: settings.stage });

    // Fixed name: functions that start executions get the ARN without depending on the machine.
    const stateMachineName = `invoice-applications-${settings.stage}`;
    const stateMachineArn = Workflow.arnFor(this, stateMachineName);
    const environment: Record<string, string> = {
      TABLE_NAME: data.table.tableName,
      DOCUMENTS_BUCKET: documents.bucket.bucketName,
      STATE_MACHINE_ARN: stateMachineArn,
      MAIL_FROM: settings.mailFrom,
      MAIL_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
      INVOICING_ENTITIES: JSON.stringify(settings.entities),
      CANCEL_WINDOW: settings.cancelWindow,
      ARREARS_POLICY: settings.arrearsPolicy,
      PAPER_INVOICES: settings.paperInvoices,
      REVIEW_THRESHOLD_FEN: String(settings.reviewThresholdFen),
      EXPECTED_WORKING_DAYS: String(settings.expectedWorkingDays),
      PAYMENT_SYNC_DAYS: String(settings.paymentSyncDays),
      FINANCE_EMAIL: String(this.node.getContext('invoice:financeEmail')),
      DOWNLOAD_LINK_SECONDS: String(this.node.getContext('invoice:downloadLinkSeconds')),
      CONSOLE_URL: String(this.node.getContext('invoice:consoleUrl')),
      MAIL_ATTACHMENT_LIMIT_BYTES: String(this.node.getContext('invoice:mailAttachmentLimitBytes')),
      RETURNS_STATE_MACHINE_ARN: Workflow.arnFor(this, `invoice-returns-${settings.stage}`),
      EVENT_BUS_NAME: events.bus.eventBusName,
      WEBHOOKS_ALLOW_LOOPBACK: String(settings.webhooksAllowLoopback),
      WEBHOOK_RETRY_BASE_SECONDS: String(settings.webhooksRetryBaseSeconds),
      WEBHOOK_DISABLE_AFTER_FAILURES: String(settings.webhooksDisableAfterFailures),
      TAX_PLATFORM: settings.taxPlatform,
    };
    const startExecution = new PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [stateMachineArn],
    });
    // Task tokens belong to the machine's executions; the API grants SendTask* on the machine.
    const signalTasks = new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [stateMachineArn],
    });
    const stopExecutions = new PolicyStatement({
      actions: ['states:StopExecution'],
      resources: [
        Stack.of(this).formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${stateMachineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });

    const workflowFunction = (
      id: string,
      entry: string,
      extra: Partial<{ withFont: boolean; timeout: Duration }> = {},
    ) => {
      const fn = new ServiceFunction(this, id, {
        entry,
        environment,
        timeout: Duration.seconds(60),
        ...extra,
      });
      data.table.grantReadWriteData(fn);
      return fn;
    };
    const review = workflowFunction('ReviewApplication', 'functions/workflow/review-application.ts');
    const requestReview = workflowFunction('RequestReview', 'functions/workflow/request-review.ts');
    const issue = workflowFunction('IssueInvoices', 'functions/workflow/issue-invoices.ts', {
      withFont: true,
      timeout: Duration.seconds(120),
    });
    // Writers add PDFs and never delete one (a delete would only hide a locked version).
    documents.bucket.grantRead(issue);
    documents.bucket.grantPut(issue);
    const deliver = workflowFunction('DeliverInvoices', 'functions/workflow/deliver-invoices.ts');
    documents.bucket.grantRead(deliver);
    mail.identity.grantSendEmail(deliver);
    const fail = workflowFunction('FailApplication', 'functions/workflow/fail-application.ts');
    mail.identity.grantSendEmail(fail);
    // Resumes its own task when finance decided before the token was stored (and the issuing
    // function when the tax platform answered before its token was stored).
    requestReview.addToRolePolicy(signalTasks);
    issue.addToRolePolicy(signalTasks);

    const workflow = new Workflow(this, 'Workflow', {
      stateMachineName,
      review,
      requestReview,
      issue,
      deliver,
      fail,
      reviewTimeout: Duration.days(7),
      // About 77 minutes in all: 7 waits of 2 minutes, 1 + 2 + … + 32 minutes between them.
      taxPlatformWait: { poll: Duration.minutes(2), interval: Duration.minutes(1), polls: 6 },
    });
    const audit = new Audit(this, 'Audit', {
      table: data.table,
      environment,
      retain,
      anchorRetentionYears: settings.auditAnchorRetentionYears,
      accessLogs: documents.accessLogs,
    });
    // For the functions made from here on (the API's verify route reads the anchors).
    environment.AUDIT_ANCHORS_BUCKET = audit.anchors.bucketName;
    new Deadlines(this, 'Deadlines', { environment, table: data.table, mail: mail.identity });
    new MailFeedback(this, 'MailFeedback', { environment, table: data.table });
    const monthly = new Monthly(this, 'Monthly', {
      stage: settings.stage,
      environment,
      table: data.table,
      startExecution,
    });

    const returns = new Returns(this, 'Returns', {
      stage: settings.stage,
      environment,
      table: data.table,
      documents: documents.bucket,
      mail: mail.identity,
      startApplications: startExecution,
      pdfFunction: issue,
    });
    new Sweeper(this, 'Sweeper', {
      environment,
      table: data.table,
      startApplications: startExecution,
      startReturns: returns.startExecution,
    });

    // Customer webhooks: its function serves /v1/webhooks and delivers (issue 14).
    const webhooks = new Webhooks(this, 'Webhooks', {
      stage: settings.stage,
      environment,
      table: data.table,
      mail: mail.identity,
      bus: events.bus,
    });
    const built: Record<string, ServiceFunction> = { Webhooks: webhooks.function };

    // One function per entry of API_FUNCTIONS, granted the union of its routes' `uses`.
    const routes = (props.apiFunctions ?? API_FUNCTIONS).flatMap((spec) => {
      const fn =
        built[spec.name] ??
        new ServiceFunction(this, `Api${spec.name}`, {
          entry: spec.entry,
          environment,
          ...(spec.timeoutSeconds ? { timeout: Duration.seconds(spec.timeoutSeconds) } : {}),
        });
      const routes = Object.values(spec.routes);
      const uses = new Set(routes.flatMap((route) => route.uses));
      if (uses.has('table-write')) data.table.grantReadWriteData(fn);
      else if (uses.has('table-read')) data.table.grantReadData(fn);
      if (uses.has('documents-read')) documents.bucket.grantRead(fn);
      if (uses.has('audit-anchors-read')) audit.anchors.grantRead(fn);
      if (uses.has('workflow-start')) fn.addToRolePolicy(startExecution);
      if (uses.has('workflow-signal')) fn.addToRolePolicy(signalTasks);
      if (uses.has('workflow-stop')) {
        fn.addToRolePolicy(stopExecutions);
        // On the role: its inline policy holds the grant (infra/constructs/function-defaults.ts).
        Validations.of(fn.role!).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}:*]`,
          reason:
            'Executions are named after their application: StopExecution can only name this machine’s executions.',
        });
      }
      if (uses.has('mail-send')) mail.identity.grantSendEmail(fn);
      if (uses.has('returns-start')) fn.addToRolePolicy(returns.startExecution);
      if (uses.has('returns-signal')) fn.addToRolePolicy(returns.signalTasks);
      return routes.map((route) => ({ method: route.method, path: route.path, fn }));
    });
    const api = new Api(this, 'Api', {
      routes,
      stageName: settings.stage,
      throttle: { rateLimit: 500, burstLimit: 1000 },
      writeRateLimit: { limit: settings.writeRateLimit, windowSeconds: settings.writeRateWindowSeconds },
    });
    new Console(this, 'Console', {
      restApi: api.restApi,
      userPool: api.userPool,
      stage: settings.stage,
      retain,
      accessLogs: documents.accessLogs,
    });

    // Last: its alarms cover every function made above.
    new Operations(this, 'Operations', {
      stage: settings.stage,
      table: data.table,
      environment,
      eventBus: events.bus,
      failures: audit.failures,
      indexNames: ['gsi1', 'gsi2'],
      stateMachines: {
        applications: workflow.stateMachine,
        returns: returns.stateMachine,
        monthly: monthly.stateMachine,
      },
      api: { name: api.restApi.restApiName, stage: settings.stage },
      deadLetterQueues: [audit.failures],
      runbookUrl: settings.runbookUrl,
      alarmEmails: settings.alarmEmails,
    });
  }
}
