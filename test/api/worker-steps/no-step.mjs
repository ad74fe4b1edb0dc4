// A module without a step export (for the error tests).
export function train() {}
