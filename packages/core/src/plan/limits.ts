/**
 * The most tasks one op may have in a compute. Executors keep state per task, so a plan far
 * beyond this would exhaust memory before its first task ran. (Planning itself is O(ops):
 * `plan()` still shows such a plan, with its task counts.)
 */
export const MAX_TASKS_PER_OP = 10_000_000;
