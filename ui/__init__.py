"""The browser chat page: a Streamlit app on the assistant's API (run `streamlit run ui/app.py`)."""
