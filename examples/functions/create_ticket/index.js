// Sample tool: create a support ticket (schema: mcp.samples@CreateTicket). Invalid input throws a
// ValidationError listing every problem, which Lambda reports as a function error.
'use strict';

class ValidationError extends Error {
  constructor(problems) {
    super(`Invalid ticket: ${problems.join('; ')}`);
    this.name = 'ValidationError';
  }
}

const PRIORITIES = ['low', 'normal', 'high'];
let nextId = 1000;

exports.handler = async (event, context) => {
  const problems = [];
  if (typeof event.customerId !== 'string' || !/^C[0-9]{3}$/.test(event.customerId)) {
    problems.push('customerId must look like C001');
  }
  if (typeof event.title !== 'string' || event.title.length < 3 || event.title.length > 120) {
    problems.push('title must be 3-120 characters');
  }
  const priority = event.priority === undefined ? 'normal' : event.priority;
  if (!PRIORITIES.includes(priority)) problems.push(`priority must be one of ${PRIORITIES.join(', ')}`);
  for (const key of Object.keys(event)) {
    if (!['customerId', 'title', 'priority', 'body'].includes(key)) problems.push(`unexpected field ${key}`);
  }
  if (problems.length) throw new ValidationError(problems);

  const ticket = {
    ticketId: `T${nextId++}`,
    customerId: event.customerId,
    title: event.title,
    priority,
    status: 'open',
    requestId: context.awsRequestId,
  };
  console.log('created ticket', ticket.ticketId);
  return ticket;
};
