import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface DataProps {
  /** Keep the table and key when the stack is deleted (production), or remove them (dev). */
  retain: boolean;
}

/**
 * One table for the whole service (single-table design; key layout in shared/adapters/dynamodb.ts):
 * on demand, point-in-time recovery, encrypted with a customer-managed key.
 */
export class Data extends Construct {
  readonly table: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new Key(this, 'TableKey', {
      description: 'Invoice service table encryption',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: 'expiresAt',
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: props.retain,
      removalPolicy,
    });
    // Lists per owner, sorted by their sort key: an account's applications (with pointers to
    // applications that include its records, R32) and its invoices, by time; an organization's
    // member profiles, by account id (R32). Key builders in shared/adapters/dynamodb.ts.
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // Sparse work lists, keys only (the items are read from the table after): applications whose
    // workflow has not been seen to start (invariant 4), titles and applications waiting for
    // finance (R21, R25) and open copy requests (R35), each oldest first; accounts with monthly
    // invoicing on, in 64 shards by account id (R31). An item is on one list at a time.
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi2sk', type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    // Sparse: an account's billing records that may have something available, by payment
    // instant (amount-mode applications draw oldest first; byEntity's offsets come off the
    // newest), whole, so a page of it is what the selection reads (shared/adapters/record-repository.ts).
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi3',
      partitionKey: { name: 'gsi3pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi3sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
