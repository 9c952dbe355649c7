// Sample tool: a slow report. Works for `seconds` (default 2) in steps, logging progress and the time
// left; the function's Timeout is 5 s, so asking for more shows Lambda's timeout error.
'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

exports.handler = async (event, context) => {
  const seconds = Number(event.seconds === undefined ? 2 : event.seconds);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60) throw new RangeError('seconds must be 0-60');
  const steps = Math.max(1, Math.round(seconds * 2));
  for (let i = 1; i <= steps; i++) {
    await sleep((seconds * 1000) / steps);
    console.log(`progress ${i}/${steps} (${Math.round((100 * i) / steps)}%), ` +
                `${context.getRemainingTimeInMillis()} ms left`);
  }
  return { report: `Report for ${event.topic || 'everything'}`, steps, seconds };
};
