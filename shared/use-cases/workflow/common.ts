import { getApplication } from '#adapters/application-repository';
import type { Allocation, Application, PlannedInvoice } from '#domain/application';
import { PermanentTaskError } from '#domain/workflow-errors';

export interface WorkflowTaskInput {
  applicationId: string;
}

export async function load(applicationId: string): Promise<Application> {
  const application = await getApplication(applicationId);
  if (!application) throw new PermanentTaskError(`Application ${applicationId} does not exist`);
  return application;
}

/** A record belongs to one (entity, tax rate), so an invoice's allocations are those of its records. */
export function allocationsOf(application: Application, planned: PlannedInvoice): Allocation[] {
  const records = new Set(planned.recordIds);
  return application.allocations.filter((a) => records.has(a.recordId));
}
