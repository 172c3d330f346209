declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    sesUrl: string;
    sfnEndpoint: string;
    dynamodbEndpoint: string;
    s3Endpoint: string;
    jwtSecretHex: string;
    tableName: string;
    stateMachineArn: string;
    /** `<logicalId>.log` per function: everything the functions wrote to stdout and stderr. */
    functionLogDir: string;
  }
}

export {};
