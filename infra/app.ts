import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvoiceServiceStack } from './invoice-service-stack.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import { readSettings } from './settings.ts';

const app = new App();
const stack = new InvoiceServiceStack(app, 'InvoiceService', {
  settings: readSettings(app.node),
  description: 'VAT invoice (fapiao) application service',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
acknowledgeNagFindings(stack);
