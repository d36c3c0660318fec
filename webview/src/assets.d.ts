// Stylesheets are imported as text (`with { type: 'text' }`) and adopted through CSSOM.
declare module '*.css' {
  const text: string;
  export default text;
}
