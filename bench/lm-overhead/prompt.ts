import type { ChatMessage } from '../../src/lm/index.js';

/**
 * The messages DSPy 3.3's ChatAdapter produces for `Predict('question -> answer')`, so the
 * fixture's echo mode answers them and payload sizes match a real program.
 */
export function qaMessages(question: string): { role: ChatMessage['role']; content: string }[] {
  return [
    {
      role: 'system',
      content: [
        'Your input fields are:',
        '1. `question` (str):',
        'Your output fields are:',
        '1. `answer` (str):',
        'All interactions will be structured in the following way, with the appropriate values filled in.',
        '',
        '[[ ## question ## ]]',
        '{question}',
        '',
        '[[ ## answer ## ]]',
        '{answer}',
        '',
        '[[ ## completed ## ]]',
        'In adhering to this structure, your objective is: ',
        '        Given the fields `question`, produce the fields `answer`.',
      ].join('\n'),
    },
    {
      role: 'user',
      content: `[[ ## question ## ]]\n${question}\n\nRespond with the corresponding output fields, starting with the field \`[[ ## answer ## ]]\`, and then ending with the marker for \`[[ ## completed ## ]]\`.`,
    },
  ];
}
