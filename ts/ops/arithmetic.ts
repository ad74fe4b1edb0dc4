export function addN(xs: any[]): any { throw new Error('todo'); }
