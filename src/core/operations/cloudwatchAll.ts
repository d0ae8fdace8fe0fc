export { cloudWatchReadOperations, cloudWatchWriteOperations } from './cloudwatch';
export { logsReadOperations } from './cloudwatchLogs';
