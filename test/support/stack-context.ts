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
  }
}

export {};
