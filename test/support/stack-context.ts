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
    /** The CONSOLE_URL the stack's e-mails link to (browser stack only). */
    consoleUrl?: string;
  }
}

export {};
