/** SageMaker-style ARNs, so clients that pass ARNs where names go keep working. */
export interface ArnContext {
  region: string;
  accountId: string;
}

export const DEFAULT_ARN_CONTEXT: ArnContext = { region: 'local', accountId: '000000000000' };

export function featureGroupArn(name: string, ctx: ArnContext = DEFAULT_ARN_CONTEXT): string {
  return `arn:aws:sagemaker:${ctx.region}:${ctx.accountId}:feature-group/${name.toLowerCase()}`;
}

/** Accepts a feature group name or its ARN; returns the name part. */
export function featureGroupNameFromArn(nameOrArn: string): string {
  const m = /^arn:aws[a-z-]*:sagemaker:[^:]*:[^:]*:feature-group\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}
